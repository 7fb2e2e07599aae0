"""The audio floor: the pipeline's own speech texts through the plain ``espeak-ng -w`` command
and the same MP3 encoder, on the same number of processes.

``python -m bench.floor PROJECT OUT -j N`` localizes PROJECT in-process with the pipeline's
functions, asks ``pipeline.stages.audio_plan.speech_parts`` what each section says and
``pipeline.tts.voices.voice_for``/``rate_for`` who says it and how fast (fallback segments in
the article's language voice, as the build does), then, timed: for every section, one
``espeak-ng -v VOICE -s RATE -w tmp.wav TEXT`` per part, joined with the same gap and encoded
with ``soundfile`` to VBR MP3 with the same settings as the speak stage, written to OUT.
Nothing else (no checks of the audio, no ID3 tags, no decode check, no pages): the least work
that produces the same files. Prints one JSON object.
"""
from __future__ import annotations

import argparse
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
    from pipeline.stages import speak

    return float(getattr(speak, "GAP_SECONDS", 0.25)), float(getattr(speak, "MP3_QUALITY", 0.6))


def plan(project: Path) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """[(output path relative to OUT, [(text, voice, rate), ...]), ...] for every section
    the build would speak, computed by the pipeline's own read/localize/publish functions."""
    from pipeline.build import choose_published
    from pipeline.stages.read import read_sources
    from pipeline.config import load_config
    from pipeline.checks import checker_for
    from pipeline.report import Reporter
    from pipeline.catalogs import read_checked_catalog
    from pipeline.stages.localize import localize
    from pipeline.stages.audio_plan import speech_parts
    from pipeline.stages.update import po_path_for
    from pipeline.tts.voices import rate_for, voice_for

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
    jobs = []
    for page in published:
        voice = voice_for(page.locale, config)
        if voice is None:
            continue
        rate = rate_for(page.locale, config)
        source_voice = voice_for(page.article.lang, config)
        source_rate = rate_for(page.article.lang, config)
        for section in page.sections:
            parts = [(p.text, *((source_voice, source_rate) if p.is_fallback else (voice, rate)))
                     for p in speech_parts(section)
                     if not (p.is_fallback and source_voice is None)]
            if parts:
                jobs.append((f"{page.lang}/audio/{page.slug}/{section.id}.mp3", parts))
    return jobs


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
    jobs = plan(args.project)
    planned = time.perf_counter() - started
    if args.out.exists():
        shutil.rmtree(args.out)
    result = run(jobs, args.out, max(1, args.jobs))
    result["plan_seconds"] = planned
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
