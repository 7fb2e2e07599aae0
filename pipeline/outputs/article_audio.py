"""The whole article as one audio file (``output/<lang>/audio/<slug>.mp3``): the sections'
MP3s joined frame by frame (mp3join.py: no second synthesis, no second encoding), with ID3
chapters (CTOC and one CHAP per section, titled as the page titles it) so a listener's
player can jump between sections.

Each file is a job whose inputs are its sections' tracks (path, size, duration and sentence
timings, which change whenever the speech does) and its tags; an unchanged one is kept.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Sequence

from pipeline.inline import to_plain
from pipeline.jobs import Job
from pipeline.model import AudioTrack, LocalizedArticle
from pipeline.mp3join import NotJoinable, join
from pipeline.report import Reporter
from pipeline.site import Site
from pipeline.state import fingerprint
from pipeline.writer import OutputWriter

FORMAT = "article-mp3-v1"


@dataclass(frozen=True)
class Chapter:
    section_id: str
    title: str
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class ArticleAudio:
    locale: str
    slug: str
    path: str  # relative to output/
    duration: float
    size: int
    chapters: tuple[Chapter, ...]


def article_audio_path(lang: str, slug: str) -> str:
    return f"{lang}/audio/{slug}.mp3"


def write_article_audio(site: Site, speech: Any, writer: OutputWriter,
                        reporter: Reporter) -> tuple[ArticleAudio, ...]:
    """One file per published page with audio, in page order."""
    if speech is None:
        return ()
    by_page: dict[tuple[str, str], dict[str, AudioTrack]] = {}
    for track in speech.tracks:
        by_page.setdefault((track.locale, track.slug), {})[track.section_id] = track
    made = []
    for page in site.pages:
        tracks = by_page.get((page.locale, page.slug))
        if not tracks:
            continue
        ordered = [(s, tracks[s.id]) for s in page.sections if s.id in tracks]
        titles = tuple(to_plain(s.heading.text) if s.heading else to_plain(page.title.text)
                       for s, _ in ordered)
        audio = _one(page, [t for _, t in ordered], titles, site, writer, reporter)
        if audio is not None:
            made.append(audio)
    return tuple(made)


def _one(page: LocalizedArticle, tracks: list[AudioTrack], titles: tuple[str, ...],
         site: Site, writer: OutputWriter, reporter: Reporter) -> ArticleAudio | None:
    rel = article_audio_path(page.lang, page.slug)
    target = site.config.output_dir / rel
    job = Job("audio-article", rel, {
        # a track's bytes change whenever its speech does: its size and length say enough
        # (hashing every sentence's timing of 72 pages took 0.06 s of a one-string rebuild)
        "format": FORMAT, "tracks": fingerprint([(t.path, t.size, t.duration)
                                                 for t in tracks]),
        "titles": fingerprint(titles, to_plain(page.title.text), site.config.name)}, target)
    kept = site.done.fresh(job)
    if kept is not None:
        writer.keep(rel)
        return kept
    try:
        joined = join([_untagged((site.config.output_dir / t.path).read_bytes())
                       for t in tracks])
    except (OSError, NotJoinable) as exc:
        reporter.warn(site.config.rel(target), f"the whole-article audio was not made: {exc}",
                      "audio-failed")
        return None
    ends = joined.starts[1:] + (joined.duration,)
    chapters = tuple(Chapter(t.section_id, title, start, end) for t, title, start, end
                     in zip(tracks, titles, joined.starts, ends))
    data = _tagged(joined.data, page, chapters, site.config.name)
    writer.write_bytes(rel, data)
    audio = ArticleAudio(page.locale, page.slug, rel, joined.duration, len(data), chapters)
    site.done.record_job(job, audio)
    return audio


def _untagged(data: bytes) -> bytes:
    """The MP3 without its ID3v2 tag (the section files carry their own titles)."""
    if data[:3] != b"ID3" or len(data) < 10:
        return data
    size = 0
    for byte in data[6:10]:  # a "synchsafe" integer: 7 bits a byte
        size = (size << 7) | (byte & 0x7F)
    return data[10 + size + (10 if data[5] & 0x10 else 0):]


def _tagged(data: bytes, page: LocalizedArticle, chapters: Sequence[Chapter],
            organisation: str) -> bytes:
    """ID3 v2.3 tags: title, organisation, language, and a table of contents with a chapter
    per section (CHAP times in milliseconds), as podcast players read them."""
    from mutagen import id3

    title = to_plain(page.title.text)
    frames = id3.ID3()
    for frame_id, text in (("TIT2", title), ("TALB", title), ("TPE1", organisation)):
        frames.add(getattr(id3, frame_id)(encoding=id3.Encoding.UTF8, text=[text]))
    ids = [f"ch{number}" for number in range(1, len(chapters) + 1)]
    frames.add(id3.CTOC(element_id="toc", flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                        child_element_ids=ids,
                        sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF8, text=[title])]))
    for ident, chapter in zip(ids, chapters):
        frames.add(id3.CHAP(element_id=ident, start_time=int(round(chapter.start * 1000)),
                            end_time=int(round(chapter.end * 1000)),
                            sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF8,
                                                 text=[chapter.title])]))
    buffer = io.BytesIO(data)
    frames.save(buffer, v2_version=3)
    return buffer.getvalue()

