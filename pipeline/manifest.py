"""output/manifest.json: what was published, for outreach tools and the browser tests.

Deterministic (no timestamps), so an unchanged site keeps an unchanged manifest.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.locales import locale_info
from pipeline.model import AudioTrack

if TYPE_CHECKING:
    from pipeline.site import Site


def manifest_json(site: Site) -> str:
    """Deterministic (no timestamps), so an unchanged site keeps an unchanged manifest."""
    config = site.config
    audio = site.audio
    data = {
        "generator": f"health-pipeline {__version__}",
        "source_language": locale_info(config.source_language).tag,
        "locales": [
            {"code": code, "tag": locale_info(code).tag, "name": locale_info(code).native_name,
             "dir": locale_info(code).direction,
             "audio": audio is not None and code not in audio.silent_locales,
             "articles": sorted(p.slug for p in site.pages if p.locale == code)}
            for code in site.locales],
        "pages": [
            {"locale": p.locale, "lang": p.lang, "slug": p.slug, "path": f"{p.lang}/{p.slug}.html",
             "title": p.title.text, "coverage": round(p.coverage, 1),
             "translated_words": p.translated_words, "total_words": p.total_words,
             "fallback_segments": p.fallback_segments}
            for p in site.pages],
        "withheld": [{"slug": w.slug, "locale": w.locale, "reason": w.reason}
                     for w in site.withheld],
        "audio": [],
    }
    tracks = getattr(audio, "tracks", ()) or ()
    entries = getattr(audio, "track_entries", ()) or ()
    if len(entries) != len(tracks):
        entries = tuple(track_entry(t) for t in tracks)
    return _json_one_item_per_line(data, {"audio": entries})


def track_entry(track: AudioTrack) -> str:
    """One audio file's line in the manifest. Kept with the track in the build state: a
    library's 13,000 sections and their timings took longer to encode than the rest of a
    rebuild."""
    return _dump({"locale": track.locale, "slug": track.slug, "section": track.section_id,
                  "path": track.path, "voice": track.voice,
                  "duration": round(track.duration, 3), "bytes": track.size,
                  "segments": [{"text": s.text, "lang": s.lang, "voice": s.voice,
                                "start": round(s.start, 3), "end": round(s.end, 3)}
                               for s in track.timings]})


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _json_one_item_per_line(data: dict, encoded: dict[str, tuple[str, ...]]) -> str:
    """JSON with one list item per line: readable and diffable, and written by json's C
    encoder (``indent`` would take the pure-Python one: over a second for a library).
    ``encoded`` holds lists whose items are JSON text already."""
    fields = []
    for key, value in data.items():
        items = None
        if isinstance(value, list):
            items = encoded.get(key) or [_dump(item) for item in value]
        if items:
            lines = ",\n".join(f"    {item}" for item in items)
            fields.append(f"  {_dump(key)}: [\n{lines}\n  ]")
        else:
            fields.append(f"  {_dump(key)}: {_dump(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


