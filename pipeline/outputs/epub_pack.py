"""Packing a talking book: a frozen ``Book`` in, the EPUB's bytes out, and nothing else
touched (no files, no clock), so the same book gives the same bytes and the packing can run
in a worker process.

The book is EPUB 3.3: the content documents (already rendered, one per section), a
navigation document, a media overlay (SMIL 3.0) per voiced section pairing each sentence's
element with its clip of the section's MP3, and a package document with the accessibility
metadata (schema.org) that reading systems and catalogues read. The zip follows OCF:
``mimetype`` first and stored, then every file in a fixed order with a fixed date and mode.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

import jinja2
from markupsafe import Markup

from pipeline.resources import PACKAGE_TEMPLATES

EPUB_TEMPLATES = PACKAGE_TEMPLATES / "epub"
_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build's clock in the bytes
_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_CONTAINER = b"""<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


@dataclass(frozen=True)
class Text:
    """Text in its language: ``lang`` is "" when it is in the book's."""
    text: str
    lang: str = ""
    dir: str = ""


@dataclass(frozen=True)
class Clip:
    """One sentence: the element read (``target``, an id in its document) and where its
    audio is in the section's MP3, in milliseconds."""
    target: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    """One section: its content document and, when voiced, its MP3 and clips."""
    name: str  # the file stem: text/<name>.xhtml, overlays/<name>.smil, audio/<name>.mp3
    label: Text  # its entry in the table of contents
    xhtml: str
    audio: bytes = b""
    clips: tuple[Clip, ...] = ()

    @property
    def duration_ms(self) -> int:
        """The overlay's playing time: the sum of its clips (SMIL's own sense of duration)."""
        return sum(clip.end_ms - clip.start_ms for clip in self.clips)


@dataclass(frozen=True)
class Resource:
    name: str  # its path inside EPUB/
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Book:
    identifier: str  # urn:uuid:...
    title: Text
    lang: str  # BCP 47
    dir: str  # "ltr" or "rtl"
    languages: tuple[str, ...]  # every language its text is in, the book's first
    modified: str  # dcterms:modified, CCYY-MM-DDThh:mm:ssZ
    publisher: str
    summary: Text  # schema:accessibilitySummary
    chapters: tuple[Chapter, ...]
    css: bytes
    images: tuple[Resource, ...] = ()
    creator: str = ""
    date: str = ""  # dc:date (the review date), "" when unknown
    source: str = ""  # dc:source: the page's address, when the site has one


def pack(book: Book) -> bytes:
    """The EPUB file's bytes."""
    files: list[tuple[str, bytes, bool]] = [  # (path, data, compress)
        ("META-INF/container.xml", _CONTAINER, True),
        ("EPUB/package.opf", _render("package.opf", book=book, **_metadata(book)), True),
        ("EPUB/nav.xhtml", _render("nav.xhtml", book=book, lang=_xhtml_lang), True),
        ("EPUB/style.css", book.css, True)]
    for chapter in book.chapters:
        files.append((f"EPUB/text/{chapter.name}.xhtml", chapter.xhtml.encode("utf-8"), True))
        if chapter.clips:
            files.append((f"EPUB/overlays/{chapter.name}.smil",
                          _render("overlay.smil", chapter=chapter, seconds=_seconds), True))
            files.append((f"EPUB/audio/{chapter.name}.mp3", chapter.audio, False))
    files.extend((f"EPUB/{image.name}", image.data, False) for image in book.images)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "mimetype", b"application/epub+zip", False)
        for path, data, compress in files:
            _add(archive, path, data, compress)
    return buffer.getvalue()


def access_modes(book: Book) -> tuple[list[str], list[str], list[str]]:
    """schema:accessMode, accessModeSufficient and accessibilityFeature, claiming only
    what the book has: every image has a description (its alt text, which the audio also
    reads), every voiced section is synchronized sentence by sentence; the audio alone is
    not claimed sufficient (reference lists are not read aloud)."""
    voiced = any(chapter.clips for chapter in book.chapters)
    modes = ["textual"] + (["auditory"] if voiced else []) + (["visual"] if book.images else [])
    sufficient = ["textual"] + (["textual,auditory"] if voiced else []) + (
        ["textual,visual"] if book.images else [])
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if voiced:
        features.append("synchronizedAudioText")
    if book.images:
        features.append("alternativeText")
    return modes, sufficient, features


def _metadata(book: Book) -> dict[str, object]:
    modes, sufficient, features = access_modes(book)
    voiced = [chapter for chapter in book.chapters if chapter.clips]
    return dict(access_modes=modes, sufficient=sufficient, features=features, voiced=voiced,
                total=sum(chapter.duration_ms for chapter in voiced), clock=_clock,
                lang=_opf_lang)


def _opf_lang(text: Text) -> Markup:
    if not text.lang:
        return Markup("")
    return Markup(' xml:lang="{}" dir="{}"').format(text.lang, text.dir or "ltr")


def _xhtml_lang(text: Text) -> Markup:
    if not text.lang:
        return Markup("")
    return Markup(' lang="{0}" xml:lang="{0}" dir="{1}"').format(text.lang,
                                                                 text.dir or "ltr")


def _clock(ms: int) -> str:
    """A SMIL full clock value, h:mm:ss.fff."""
    seconds, fraction = divmod(ms, 1000)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{fraction:03d}"


def _seconds(ms: int) -> str:
    """A SMIL timecount in seconds, "12.345s"."""
    return f"{ms // 1000}.{ms % 1000:03d}s"


def _add(archive: zipfile.ZipFile, path: str, data: bytes, compress: bool) -> None:
    info = zipfile.ZipInfo(path, date_time=_DATE)
    info.external_attr = _MODE
    info.create_system = 3  # Unix, whatever machine packs it
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    archive.writestr(info, data, compresslevel=9 if compress else None)


def _render(name: str, **context: object) -> bytes:
    return _environment().get_template(name).render(**context).encode("utf-8")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The package's book templates (a project overrides the content documents and the
    style, not the package structure EPUBCheck holds the book to)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(EPUB_TEMPLATES)),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)

