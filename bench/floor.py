"""The audio floor: the pipeline's own speech text through the plain ``espeak-ng -w`` command
and the same MP3 encoder, on the same number of processes.

``python -m bench.floor PROJECT OUT -j N`` localizes PROJECT in-process with the pipeline's
functions and plans its audio with the build's own ``pipeline.stages.audio_plan.plan_audio``:
what each section says (``speech_parts``), who says it and how fast (``voice_for``/
``rate_for``; fallback segments in the article's language voice), and the sentences the
build's voice gets for each part (speech text: doses, units and abbreviations written out,
issue 14). This is untimed. Then, timed: for
every section, one ``espeak-ng -v VOICE -s RATE -w tmp.wav TEXT`` per part (its sentences
joined by spaces: the fewest process starts, where the build synthesizes sentence by
sentence), joined with the same gap and encoded with ``soundfile`` to VBR MP3 with the same
settings as the speak stage, written to OUT. Nothing else (no checks of the audio, no ID3
tags, no decode check, no pages): the least work that produces the same files. Prints one
JSON object, with ``speech_print``: a fingerprint of the sentences spoken, section by section,
which ``speech_print_of_cache`` computes from a build's audio cache (same text, same print).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile

ESPEAK = "espeak-ng"


def encoder_settings() -> tuple[float, float]:
    """(gap between parts in seconds, libsndfile MP3 compression level) of the speak stage."""
    from pipeline import audio
    from pipeline.stages import audio_plan

    return (float(getattr(audio_plan, "GAP_SECONDS", 0.25)),
            float(getattr(audio, "MP3_QUALITY", 0.6)))


def localized_pages(project: Path) -> tuple[list, object]:
    """The pages the build publishes, localized by the pipeline's own functions, and the
    project's config."""
    from pipeline.build import choose_published
    from pipeline.stages.read import read_sources
    from pipeline.config import load_config
    from pipeline.checks import checker_for
    from pipeline.report import Reporter
    from pipeline.catalogs import read_checked_catalog
    from pipeline.stages.localize import localize
    from pipeline.stages.update import po_path_for

    config = load_config(project)
    reporter = Reporter(stream=io.StringIO(), quiet=True)
    articles = read_sources(config, reporter)
    localized = []
    for locale in [config.source_language, *config.locales]:
        check = checker_for(config, locale)
        for article in articles:
            catalog = None
            if locale != config.source_language:
                path = po_path_for(config.locales_dir, locale, article.slug)
                if not path.exists():
                    continue
                catalog = read_checked_catalog(path, config.rel(path))
            localized.append(localize(article, locale, catalog, reporter.add, check))
    published, _ = choose_published(localized, config)
    return published, config


def plan(project: Path) -> tuple[list[tuple[str, list[tuple[str, str, int]]]], dict]:
    """[(output path relative to OUT, [(text, voice, rate), ...]), ...] for every section
    the build would speak, as the build's own ``plan_audio`` plans it (speech parts, voices,
    rates, and each part's sentences of speech text), each part's sentences as one
    espeak-ng argument; and {"speech_print": the sentences' fingerprint (see
    ``speech_print``), "sentences": how many}."""
    from pipeline.stages.audio_plan import plan_audio

    published, config = localized_pages(project)
    scratch = Path(tempfile.mkdtemp(prefix="bench-floor-plan-"))  # planning writes nothing
    try:
        audio = plan_audio(published, config, scratch / "output", scratch / "cache", "floor")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    spoken = [(job.rel_path, [(tuple(u.spoken), u.voice, u.rate) for u in job.utterances])
              for job in audio.jobs if not job.problem]
    jobs = [(rel, [(one_call(sentences), voice, rate) for sentences, voice, rate in parts])
            for rel, parts in spoken]
    said = [[sentences for sentences, _, _ in parts] for _, parts in spoken]
    return jobs, {"speech_print": speech_print(said),
                  "sentences": sum(len(s) for parts in said for s in parts)}


def one_call(sentences: tuple[str, ...]) -> str:
    """A part's sentences as one text for ``espeak-ng``, each ended as the pipeline's engine
    ends it (a sentence closing on a lone letter, "vitamin D.", gets a paragraph break, or
    espeak-ng reads the letter as an initial and runs on)."""
    try:
        from pipeline.tts.engine import _ended
    except ImportError:
        def _ended(text: str) -> str:
            return text
    return " ".join(_ended(sentence) for sentence in sentences)


def speech_print(sections: list[list[tuple[str, ...]] | list[list[str]]]) -> str:
    """A fingerprint of the distinct sections' speech: each section's parts, each part's
    sentences (distinct, as a content-addressed cache keeps them)."""
    distinct = sorted({json.dumps([list(p) for p in parts], ensure_ascii=False)
                       for parts in sections})
    return hashlib.sha1("\n".join(distinct).encode("utf-8")).hexdigest()[:16]


def speech_print_of_cache(cache_dir: Path) -> tuple[str, int]:
    """``speech_print`` of the sentences a build spoke, from the ``.json`` beside each MP3
    in its audio cache (``"sentences"``: [part index, sentence, start, end]); and how many
    entries it read."""
    sections = []
    for path in cache_dir.glob("*/*.json"):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))["sentences"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        parts: list[list[str]] = []
        for index, text, *_ in rows:
            while len(parts) <= index:
                parts.append([])
            parts[index].append(text)
        sections.append(parts)
    return speech_print(sections), len(sections)


_settings: dict = {}


def _init(out: str, tmp: str, gap: float, quality: float) -> None:
    _settings.update(out=Path(out), tmp=Path(tmp), gap=gap, quality=quality)


def _section(job: tuple[str, list[tuple[str, str, int]]]) -> tuple[float, int, float, float]:
    """Synthesize, join and encode one section.

    Returns (seconds of audio, MP3 bytes, seconds synthesizing, seconds encoding + writing).
    """
    rel, parts = job
    wav = _settings["tmp"] / f"{os.getpid()}.wav"
    pieces, rate = [], 0
    started = time.perf_counter()
    for text, voice, wpm in parts:
        subprocess.run([ESPEAK, "-v", voice, "-s", str(wpm), "-w", str(wav), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples, rate = soundfile.read(str(wav), dtype="float32")
        pieces.append(samples)
    synthesized = time.perf_counter()
    gap = np.zeros(int(round(_settings["gap"] * rate)), dtype=np.float32)
    joined = np.concatenate([p for piece in pieces for p in (piece, gap)][:-1])
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(joined, -1.0, 1.0), rate, format="MP3",
                    subtype="MPEG_LAYER_III", bitrate_mode="VARIABLE",
                    compression_level=_settings["quality"])
    path = _settings["out"] / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return (len(joined) / rate, len(buffer.getvalue()), synthesized - started,
            time.perf_counter() - synthesized)


def run(jobs: list, out: Path, workers: int) -> dict:
    gap, quality = encoder_settings()
    ordered = sorted(jobs, key=lambda j: -sum(len(t) for t, _, _ in j[1]))  # as the build
    tmp = tempfile.mkdtemp(prefix="bench-floor-")
    try:
        started = time.perf_counter()
        with get_context("fork").Pool(workers, initializer=_init,
                                      initargs=(str(out), tmp, gap, quality)) as pool:
            results = list(pool.imap_unordered(_section, ordered, chunksize=1))
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    audio = sum(r[0] for r in results)
    return {"wall": wall, "audio_seconds": audio, "sections": len(results),
            "parts": sum(len(j[1]) for j in jobs), "mp3_bytes": sum(r[1] for r in results),
            "workers": workers, "real_time_factor": audio / wall if wall else 0.0,
            # summed over the workers: where the floor's time goes
            "synth_seconds": sum(r[2] for r in results),
            "encode_seconds": sum(r[3] for r in results),
            "gap_seconds": gap, "mp3_compression_level": quality}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="audio floor: espeak-ng -w + soundfile MP3")
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if shutil.which(ESPEAK) is None:
        print(json.dumps({"error": "espeak-ng is not installed"}))
        return 1
    started = time.perf_counter()
    jobs, printed = plan(args.project)
    planned = time.perf_counter() - started
    if args.out.exists():
        shutil.rmtree(args.out)
    result = run(jobs, args.out, max(1, args.jobs))
    result.update(printed, plan_seconds=planned)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
