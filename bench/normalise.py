"""Figure h: what the speech text (issue 14) costs a cold build with audio.

``python -m bench.normalise PROJECT`` does in a fresh process what a cold build's audio plan
does for speech text, and times it: import ``pipeline.speech_text``, then for every part of
every section the build speaks (``speech_parts`` of the published pages, localized by
``bench.floor.localized_pages``; fallback parts in the article's language) get its lexicon (``project_lexicon``) and run ``speak_sentences`` on the part's plain
text. Localizing the pages, which the build does anyway, is not timed. The first pass is the
build's cost (lexicon files read, rules compiled, ``num2words`` imported when a number needs
it); a second pass in the same process, with those caches filled, is for information.
Prints one JSON object; ``seconds`` (import + first pass) is the figure.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def timed_import() -> float:
    """Seconds to import ``pipeline.speech_text`` after what a build imports anyway."""
    import polib  # noqa: F401  (catalogs: a build has these before it plans audio)
    import pipeline.model  # noqa: F401
    import pipeline.plurals  # noqa: F401
    import pipeline.state  # noqa: F401

    started = time.perf_counter()
    import pipeline.speech_text  # noqa: F401
    return time.perf_counter() - started


def one_pass(parts: list[tuple[object, str]], locales_dir: Path) -> dict:
    """Speech text for every (part, lexicon locale): seconds in all, in loading lexicons,
    and per locale; and the sentences made."""
    from pipeline.speech_text import speak_sentences
    from pipeline.speech_text.lexicon import project_lexicon

    per_locale: dict[str, float] = {}
    sentences = 0
    started = time.perf_counter()
    lexicons = {code: project_lexicon(code, locales_dir) for code in sorted({c for _, c in parts})}
    loaded = time.perf_counter()
    for part, code in parts:
        before = time.perf_counter()
        sentences += len(speak_sentences(part.text, part.lang, lexicons[code]))
        per_locale[code] = per_locale.get(code, 0.0) + time.perf_counter() - before
    return {"seconds": time.perf_counter() - started, "lexicon_seconds": loaded - started,
            "sentences": sentences,
            "per_locale": {code: round(t, 4) for code, t in sorted(per_locale.items())}}


def speech_segments(project: Path) -> tuple[list[tuple[object, str]], Path]:
    """(part, lexicon locale) for every part the build speaks (sections of voiced pages; a
    fallback part only when the article's language has a voice), as ``audio_plan`` plans
    them; and the project's locales folder, where the lexicons are."""
    from bench.floor import localized_pages
    from pipeline.stages.audio_plan import speech_parts
    from pipeline.tts.voices import voice_for

    published, config = localized_pages(project)
    parts = []
    for page in published:
        if voice_for(page.locale, config) is None:
            continue
        source_voiced = voice_for(page.article.lang, config) is not None
        for section in page.sections:
            parts += [(p, lexicon_code(p.lang)) for p in speech_parts(section)
                      if source_voiced or not p.is_fallback]
    return parts, config.locales_dir


def lexicon_code(lang: str) -> str:
    """The locale code of a BCP 47 tag: lexicons live under ``locales/<code>/``."""
    return lang.replace("-", "_")


def measure(project: Path) -> dict:
    cpu = time.process_time()
    imported = timed_import()
    cpu = time.process_time() - cpu
    parts, locales_dir = speech_segments(project)
    before = time.process_time()
    cold = one_pass(parts, locales_dir)
    cpu += time.process_time() - before  # CPU time of import + first pass: load barely moves it
    warm = one_pass(parts, locales_dir)
    return {"seconds": imported + cold["seconds"], "import_seconds": imported,
            "cold_seconds": cold["seconds"], "warm_seconds": warm["seconds"],
            "lexicon_seconds": cold["lexicon_seconds"], "cpu_seconds": cpu,
            "parts": len(parts), "sentences": cold["sentences"],
            "chars": sum(len(part.text) for part, _ in parts),
            "per_locale_cold": cold["per_locale"]}


def figure(runs: list, texts: list) -> tuple[str, float, str, dict]:
    """Row h from the cold builds and the runs of this module, taken in turn (run i after
    cold build i): (label, share of the cold build's wall time, details, raw figures)."""
    from bench.measure import median

    good = [t for t in texts if t.ok]
    cold_wall = median([r.wall for r in runs if r.ok])
    seconds = median([t.extra["seconds"] for t in good])
    pairs = [t.extra["seconds"] / c.wall for c, t in zip(runs, texts) if c.ok and t.ok]
    last = good[-1].extra
    pick = {key: median([t.extra[key] for t in good])
            for key in ("import_seconds", "cold_seconds", "warm_seconds", "lexicon_seconds",
                        "cpu_seconds") if all(key in t.extra for t in good)}
    cold_cpu = median([r.cpu for r in runs if r.ok])
    label = (f"speech text (speak_sentences on {last['parts']} segments, {last['sentences']} "
             f"sentences) / cold build: {seconds:.2f}s of {cold_wall:.2f}s")
    detail = (f"{len(good)} run(s), each in a fresh process after a cold build; per pair: "
              f"{', '.join(f'{100 * p:.2f}%' for p in pairs)}; import "
              f"{pick['import_seconds']:.3f}s + first pass {pick['cold_seconds']:.3f}s (of it "
              f"lexicons {pick['lexicon_seconds']:.3f}s); second pass (caches filled) "
              f"{pick['warm_seconds']:.3f}s; "
              + (f"CPU {pick['cpu_seconds']:.3f}s, {100 * pick['cpu_seconds'] / cold_cpu:.2f}% "
                 f"of the cold build's {cold_cpu:.1f}s; " if "cpu_seconds" in pick else "")
              + f"{1e6 * pick['cold_seconds'] / max(last['sentences'], 1):.0f} µs per sentence, "
              f"{last['chars']} characters; per locale (first pass): "
              + ", ".join(f"{k} {1000 * v:.0f}ms" for k, v in last["per_locale_cold"].items()))
    raw = {"seconds": seconds, "cold_wall": cold_wall, "share": seconds / cold_wall,
           "pair_shares": pairs, **pick, "sentences": last["sentences"],
           "parts": last["parts"]}
    return label, seconds / cold_wall, detail, raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="figure h: speech text time of a cold build")
    parser.add_argument("project", type=Path)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.project)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
