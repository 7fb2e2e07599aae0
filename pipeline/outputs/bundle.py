"""Offline bundles (``output/bundles/<lang>.zip``): one language's site to copy onto a USB
stick or a clinic's laptop: its pages and index, the shared assets, the images its pages
show, its audio (section MP3s, transcripts, whole-article MP3s), its handouts and books, a
start page at the root and a ``SHA256SUMS`` that ``sha256sum -c`` checks.

Unzipped anywhere, every relative link leads to a file inside (``bundle_links.py`` says
what becomes of the links to other languages). The zip is byte-reproducible: members in a
fixed order, all dated 1980-01-01 with mode 0644, MP3s, PDFs, EPUBs and images stored as
they are (already compressed), text deflated at a fixed level.

The index and its bundle: the language index links to its bundle and shows its size, and
the bundle holds the index. The bundle's copy of the index has no link to the bundle (a
zip cannot link to itself from inside), so the bundle does not depend on the size it
will have; with bundles on, ``pages.py`` leaves the index to this module, which writes it
once the bundle is packed (or kept), with that size. The index job has the size as an
input: a bundle whose size changes rewrites its index, a no-op build rewrites neither.

Each bundle is a job whose inputs are the prints of the files it packs (the audio by what
the speech result says of its tracks, the rest by ``Incremental.file``, which keeps a file's
print by its stamp: a no-op build reads no file), the print of its index's inputs, and the
code and settings: one changed msgstr in es repacks es.zip only.
"""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.confine import image_path
from pipeline.jobs import Job
from pipeline.locales import locale_info
from pipeline.model import LocalizedArticle
from pipeline.outputs.bundle_links import relink
from pipeline.outputs.outreach import bilingual_path, bundle_path, epub_path, handout_path
from pipeline.outputs.pages import PageWriter
from pipeline.outputs.ui_text import ui_text
from pipeline.report import ContentError, Reporter
from pipeline.resources import ASSETS
from pipeline.state import fingerprint
from pipeline.writer import OutputWriter

FORMAT = "bundle-v1"
START = "index.html"  # the start page, at the root of the zip
SUMS = "SHA256SUMS"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold
_DEFLATED = {".html", ".css", ".js", ".vtt", ".svg", ".txt", ".json", ".xml", ""}


def write(built: Any, writer: OutputWriter, reporter: Reporter) -> int:
    """Each locale's bundle and index; the number of bundles made or kept."""
    site = built.site
    if not site.config.outputs.bundles:
        return 0
    quiet = Reporter(io.StringIO(), quiet=True)  # the build reported the UI catalogs
    index_writer = PageWriter(site, writer, reporter, ui_reporter=quiet)
    count = 0
    for locale in site.locales:
        pages = [p for p in site.pages if p.locale == locale]
        if not pages:
            continue
        tag = locale_info(locale).tag
        size = _bundle(built, locale, pages, index_writer, writer, reporter)
        index_writer.write_index(locale, pages, None if size is None else
                                 (f"../{bundle_path(tag)}", size))
        count += size is not None
    return count


def members(built: Any, locale: str, pages: list[LocalizedArticle],
            writer: OutputWriter) -> list[str]:
    """What the bundle packs from ``output/`` besides its index, in the zip's order: what
    this build wrote or kept (never a stale file the writer is about to remove)."""
    site, tag = built.site, locale_info(locale).tag
    found = {f"assets/{a.name}" for a in ASSETS.iterdir()}
    found |= {f"media/{image_path(block.image.src)}" for page in pages
              for section in page.article.sections for block in section.blocks
              if block.image is not None and "://" not in block.image.src}
    for page in pages:
        found |= {f"{tag}/{page.slug}.html", handout_path(tag, page.slug),
                  bilingual_path(tag, page.slug), epub_path(tag, page.slug)}
    found = {rel for rel in found if writer.has(rel)}
    # The audio the final speech lists: reused tracks are claimed only when the writer closes.
    slugs = {page.slug for page in pages}
    for track in getattr(built.speech, "tracks", ()) or ():
        if track.locale == locale and track.slug in slugs:
            found |= {track.path, *([track.transcript] if track.transcript else [])}
    found |= {audio.path for audio in built.article_audio
              if audio.locale == locale and audio.slug in slugs}
    found.discard(f"{tag}/index.html")
    return sorted(found)


def _bundle(built: Any, locale: str, pages: list[LocalizedArticle], index_writer: PageWriter,
            writer: OutputWriter, reporter: Reporter) -> int | None:
    """The bundle's size, packed now or kept from the last build; None when it failed."""
    site, tag = built.site, locale_info(locale).tag
    rel, output = bundle_path(tag), site.config.output_dir
    files = members(built, locale, pages, writer)
    audio = _audio_prints(built, locale)
    job = Job("bundle", tag, {
        "format": FORMAT, "settings": site.done.settings, "audio": fingerprint(audio),
        # the audio is known by its tracks; a stat per file for the rest
        "files": fingerprint([(name, site.done.file(output / name)) for name in files
                              if name not in audio]),
        "index": fingerprint(dict(index_writer.index_job(locale, pages).inputs))},
        output / rel)
    kept = site.done.fresh(job)
    if kept is not None and _size(output / rel) == kept:  # whole: see below
        writer.keep(rel)
        return kept
    try:
        extra = {f"{tag}/index.html": index_writer.index_html(locale, pages),
                 START: _start_page(site, locale, len(pages), index_writer)}
        # Streamed into its file, not held in memory (a 200-article language: ~600 MB),
        # and not synced: a zip cut short by a power cut has another size than the one
        # recorded, so the next build makes it again (fsync took 0.2 s of a one-msgstr
        # rebuild's 1.1 s on the 8-article bench, for a file nothing else depends on).
        writer.write_stream(rel, lambda handle: pack(files, extra, output,
                                                     site.config.base_url, handle),
                            durable=False)
    except ContentError:
        return None  # a broken template: write_index reports it
    except OSError as exc:
        reporter.warn(site.config.rel(output / rel), f"the offline bundle was not made: {exc}",
                      "bundle-failed")
        return None
    size = _size(output / rel)
    site.done.record_job(job, size)
    return size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _audio_prints(built: Any, locale: str) -> dict[str, str]:
    """Each audio file's print from what the speech result says of it: a track's MP3 and
    transcript change whenever its speech does, and its size and length with it (as
    article_audio.py judges them). A stat per file cost a no-op build ~40 us each, and a
    200-article locale has ~2,400 (8 locales: ~0.8 s of a 2 s budget)."""
    prints = {}
    for track in getattr(built.speech, "tracks", ()) or ():
        if track.locale == locale:
            print_ = f"{track.size} {track.duration} {track.voice}"
            prints[track.path] = print_
            if track.transcript:
                prints[track.transcript] = print_
    for audio in built.article_audio:
        if audio.locale == locale:
            prints[audio.path] = f"{audio.size} {audio.duration} {audio.chapters}"
    return dict(sorted(prints.items()))


def _start_page(site: Any, locale: str, count: int, index_writer: PageWriter) -> str:
    """The page at the zip's root, in the locale's language and direction: a plain link to
    the language's index (a redirect would bounce the index's 'All languages' link back)."""
    info = locale_info(locale)
    ui = ui_text(site.config, locale, Reporter(io.StringIO(), quiet=True), site.done)
    return index_writer.renderer.chooser(info, [(info, count)], ui)


def pack(files: list[str], extra: dict[str, str], output: Path, base_url: str,
         handle: BinaryIO) -> None:
    """The zip, into ``handle``: the start page, then ``files`` read from ``output`` and the
    pages ``extra`` made for the bundle (its index) in path order, every page's links made to
    work inside, then ``SHA256SUMS``. One file at a time: the audio is most of a bundle."""
    names = set(files) | set(extra)
    sums = []
    with zipfile.ZipFile(handle, "w") as archive:
        for name in (START, *sorted(names - {START})):
            text = extra.get(name)
            data = text.encode("utf-8") if text is not None else (output / name).read_bytes()
            if name.endswith(".html"):
                data = relink(data.decode("utf-8"), name, names.__contains__,
                              base_url).encode("utf-8")
            sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
            _add(archive, name, data)
        _add(archive, SUMS, "".join(sorted(sums, key=lambda line: line[66:])).encode("utf-8"))


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.create_system = 3  # Unix, whatever system packs it: the mode bits below mean that
    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    deflate = os.path.splitext(name)[1].lower() in _DEFLATED
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    archive.writestr(info, data, compresslevel=9 if deflate else None)
