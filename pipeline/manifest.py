"""output/manifest.json: what was published, for outreach tools and the browser tests.

Deterministic (no timestamps), so an unchanged site keeps an unchanged manifest.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from pipeline import __version__
from pipeline.config import Config
from pipeline.locales import locale_info
from pipeline.model import AudioTrack


class SpeakResult(Protocol):
    """What the manifest reads of speech (stages/speak_result.py), named here so that the
    manifest imports nothing above it (speech imports track_entry from this module)."""

    tracks: Sequence[AudioTrack]
    track_entries: Sequence[str]
    silent_locales: Sequence[str]


class Site(Protocol):
    """What the manifest reads of the published site (site.py)."""

    config: Config
    locales: Sequence[str]
    pages: Sequence[Any]
    withheld: Sequence[Any]
    kept: Mapping[tuple[str, str], str]


@dataclass(frozen=True)
class ManifestDraft:
    """The manifest but its audio list, made while the warm speaker is still speaking (the
    pages of a library take a tenth of a one-edit rebuild to encode)."""

    head: str  # "{" and every field before "audio", encoded

    def finish(self, audio: SpeakResult | None, articles: Sequence[Any] = ()) -> str:
        """``articles``: the whole-article files (outputs/article_audio.py ArticleAudio)."""
        tracks = getattr(audio, "tracks", ()) or ()
        entries = getattr(audio, "track_entries", ()) or ()
        if len(entries) != len(tracks):
            entries = tuple(track_entry(t) for t in tracks)
        whole = [{"locale": a.locale, "slug": a.slug, "path": a.path,
                  "duration": round(a.duration, 3), "bytes": a.size,
                  "chapters": [{"section": c.section_id, "title": c.title,
                                "start": round(c.start, 3), "end": round(c.end, 3)}
                               for c in a.chapters]} for a in articles]
        return (self.head + _field("audio", entries) + ",\n" + _field("article_audio", whole)
                + "\n}\n")


def draft_manifest(site: Site, audio: SpeakResult | None) -> ManifestDraft:
    """Deterministic (no timestamps), so an unchanged site keeps an unchanged manifest.
    ``audio``: what is known of the speech already (its silent locales; None: no audio)."""
    config = site.config
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
        # Pages kept from the last good build because their catalog now has an error.
        "stale": [{"slug": slug, "locale": locale, "reason": reason}
                  for (slug, locale), reason in sorted(site.kept.items())],
    }
    return ManifestDraft("{\n" + "".join(_field(key, value) + ",\n"
                                          for key, value in data.items()))


def track_entry(track: AudioTrack) -> str:
    """One audio file's line in the manifest. Kept with the track in the build state: a
    library's 13,000 sections and their timings took longer to encode than the rest of a
    rebuild."""
    return _dump({"locale": track.locale, "slug": track.slug, "section": track.section_id,
                  "path": track.path, "voice": track.voice,
                  "duration": round(track.duration, 3), "bytes": track.size,
                  "transcript": track.transcript,
                  "segments": [{"text": s.text, "lang": s.lang, "voice": s.voice,
                                "start": round(s.start, 3), "end": round(s.end, 3)}
                               for s in track.timings],
                  "sentences": [{"id": s.id, "start": s.start, "end": s.end}
                                for s in track.sentences]})


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _field(key: str, value: object) -> str:
    """One field of the manifest, lists with one item per line: readable and diffable, and
    written by json's C encoder (``indent`` would take the pure-Python one: over a second for
    a library). A tuple holds items that are JSON text already."""
    if isinstance(value, (list, tuple)) and value:
        items = value if isinstance(value, tuple) else [_dump(item) for item in value]
        return f"  {_dump(key)}: [\n    " + ",\n    ".join(items) + "\n  ]"
    return f"  {_dump(key)}: {_dump(value if not isinstance(value, tuple) else list(value))}"
