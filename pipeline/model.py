"""The typed records that pipeline stages exchange.

Every record is frozen: a stage never mutates what an earlier stage produced, which keeps the
build easy to reason about and safe to hand to worker processes. This module imports nothing
from the rest of the package.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file, printed the way compilers and editors understand: ``path:line``."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Severity(str, Enum):
    NOTE = "note"  # for information: never fails a command, not even with --strict
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Issue:
    """One problem found in the content, reported as ``path:line: severity: message [code]``."""

    location: Location
    severity: Severity
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message} [{self.code}]"


class Role(str, Enum):
    """What a piece of text is in its article; tells translators where a string stands."""

    TITLE = "title"
    SUBTITLE = "subtitle"
    HEADING = "heading"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list item"
    IMAGE_ALT = "image alt text"
    CITATION = "reference citation"


@dataclass(frozen=True)
class Link:
    """A link target kept out of translators' hands: msgids only carry ``<aN>`` tags."""

    number: int
    url: str
    title: str = ""


@dataclass(frozen=True)
class Image:
    """An image; its alt text is a segment of its own so translators can translate it."""

    src: str
    alt: "Segment"


@dataclass(frozen=True)
class Segment:
    """The smallest translatable unit: one title, heading, paragraph, list item or alt text.

    ``text`` is the msgid: whitespace-normalised text in which inline markup is written as a
    small closed tag set (``<em>``, ``<strong>``, ``<code>``, ``<aN>``, ``<br/>``) so that
    translators can move it around but cannot change where a link points.
    """

    text: str
    role: Role
    location: Location
    section_id: str
    links: tuple[Link, ...] = ()
    translatable: bool = True


class BlockKind(str, Enum):
    PARAGRAPH = "paragraph"
    SUBHEADING = "subheading"
    BULLETS = "bullets"
    NUMBERS = "numbers"
    FIGURE = "figure"
    CITATIONS = "citations"


@dataclass(frozen=True)
class Block:
    """A paragraph, subheading, figure, or list (whose items are its segments)."""

    kind: BlockKind
    segments: tuple[Segment, ...]
    image: Image | None = None
    start: int = 1  # first number of a numbered list


@dataclass(frozen=True)
class Section:
    """The introduction (``heading is None``) or one ``##`` section with a stable id."""

    id: str
    heading: Segment | None
    blocks: tuple[Block, ...]

    @property
    def segments(self) -> tuple[Segment, ...]:
        head = (self.heading,) if self.heading else ()
        body: list[Segment] = []
        for block in self.blocks:
            if block.image is not None:
                body.append(block.image.alt)
            body.extend(block.segments)
        return head + tuple(body)


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    lang: str
    title: Segment
    subtitle: Segment | None
    author: str
    reviewed: str  # ISO date, or "" when unknown
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()

    @property
    def location(self) -> Location:
        return self.title.location

    @property
    def segments(self) -> tuple[Segment, ...]:
        head = (self.title,) + ((self.subtitle,) if self.subtitle else ())
        return head + tuple(s for section in self.sections for s in section.segments)

    @property
    def translatable_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.translatable)


@dataclass(frozen=True)
class ExtractResult:
    slug: str
    pot_path: Path
    messages: int
    written: bool


@dataclass(frozen=True)
class UpdateResult:
    slug: str
    locale: str
    po_path: Path
    created: bool
    written: bool
    fingerprint: str = ""  # of the catalog's bytes after the update (state.bytes_fingerprint)
    # With ``update --check``: what an update would change in the catalog's content (empty
    # when only its formatting, wrapping or line ends would change).
    differences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a command did, for its one-line summary and exit code."""

    summary: str
    issues: tuple[Issue, ...] = field(default_factory=tuple)


class Status(str, Enum):
    """Why a localized segment shows the text it shows."""

    SOURCE = "source"  # the page is in the source language
    TRANSLATED = "translated"
    UNTRANSLATED = "untranslated"  # fallback: no msgstr
    FUZZY = "fuzzy"  # fallback: needs review, never published
    INVALID = "invalid"  # fallback: failed a check (markup, links, ...)
    NOT_TRANSLATABLE = "not translatable"  # reference citations stay in the source language

    @property
    def is_fallback(self) -> bool:
        return self in (Status.UNTRANSLATED, Status.FUZZY, Status.INVALID,
                        Status.NOT_TRANSLATABLE)


@dataclass(frozen=True)
class LocalizedSegment:
    """A segment as a page shows it: its text (tag language), language and why."""

    source: Segment
    text: str
    lang: str  # BCP 47 tag of the language the text is in
    dir: str  # "ltr" or "rtl"
    status: Status
    reason: str = ""  # for INVALID: what failed
    po_line: int = 0  # where the msgstr stands in the PO file, when there is one
    proposed: str = ""  # the msgstr that was not published (fuzzy or failing), for review
    previous: str = ""  # a fuzzy entry's previous msgid (#|), for review


@dataclass(frozen=True)
class LocalizedBlock:
    kind: BlockKind
    segments: tuple[LocalizedSegment, ...]
    image_src: str = ""
    image_alt: LocalizedSegment | None = None
    start: int = 1


@dataclass(frozen=True)
class LocalizedSection:
    id: str
    heading: LocalizedSegment | None
    blocks: tuple[LocalizedBlock, ...]

    @property
    def segments(self) -> tuple[LocalizedSegment, ...]:
        head = (self.heading,) if self.heading else ()
        body: list[LocalizedSegment] = []
        for block in self.blocks:
            if block.image_alt is not None:
                body.append(block.image_alt)
            body.extend(block.segments)
        return head + tuple(body)


@dataclass(frozen=True)
class LocalizedArticle:
    article: Article
    locale: str  # gettext code, e.g. zh_Hans
    lang: str  # BCP 47 tag, e.g. zh-Hans
    dir: str
    title: LocalizedSegment
    subtitle: LocalizedSegment | None
    sections: tuple[LocalizedSection, ...]
    po_path: str = ""  # project-relative PO file, "" for the source language
    translated_words: int = 0
    total_words: int = 0
    # Counted once when localized: the manifest and the summary need them for every page.
    fallback_segments: int = 0  # translatable segments shown in the source language
    failing_segments: int = 0  # segments whose translation failed a check (INVALID)

    def __reduce__(self):
        """Pickled with its sections as a pickle of their own, unpickled when first read: the
        build state keeps every page of a library, and a rebuild reads the sections of the few
        that changed (unpickling all the others took a tenth of a one-edit rebuild)."""
        fields = {k: v for k, v in self.__dict__.items() if k not in _LAZY}
        packed = self.__dict__.get("_packed_sections")
        if packed is None:
            packed = pickle.dumps(self.sections, protocol=pickle.HIGHEST_PROTOCOL)
        return _unpickled_page, (fields, packed)

    def __getattr__(self, name: str):  # only for attributes not set: lazy sections
        packed = self.__dict__.get("_packed_sections")
        if name != "sections" or packed is None:
            raise AttributeError(name)
        sections = pickle.loads(packed)
        object.__setattr__(self, "sections", sections)
        self.__dict__.pop("_packed_sections", None)
        return sections

    @property
    def slug(self) -> str:
        return self.article.slug

    @property
    def coverage(self) -> float:
        return 100.0 * self.translated_words / self.total_words if self.total_words else 100.0

    @property
    def has_fallbacks(self) -> bool:
        return any(s.status in (Status.UNTRANSLATED, Status.FUZZY, Status.INVALID)
                   for section in self.sections for s in section.segments) or (
            self.title.status.is_fallback and self.title.status is not Status.NOT_TRANSLATABLE)

    @property
    def segments(self) -> tuple[LocalizedSegment, ...]:
        head = (self.title,) + ((self.subtitle,) if self.subtitle else ())
        return head + tuple(s for section in self.sections for s in section.segments)


_LAZY = ("sections", "_packed_sections")


def _unpickled_page(fields: dict, packed: bytes) -> LocalizedArticle:
    page = object.__new__(LocalizedArticle)
    page.__dict__.update(fields)
    page.__dict__["_packed_sections"] = packed
    return page


@dataclass(frozen=True)
class SentenceTiming:
    """Where one sentence is heard in a section's audio: ``id`` is its element on the page
    and its cue in the transcript; exact to the sample (sentences are synthesized one by one
    and their sample counts added; the decoded MP3 lines up with 0 samples of lag)."""

    id: str
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class SegmentTiming:
    """Where one segment is heard in a section's audio file (for read-along sync)."""

    text: str
    lang: str
    voice: str
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class AudioTrack:
    locale: str
    slug: str
    section_id: str
    path: str  # relative to output/, e.g. es/audio/dermatomyositis/medications.mp3
    voice: str
    duration: float  # seconds
    size: int  # bytes
    timings: tuple[SegmentTiming, ...] = ()
    transcript: str = ""  # the WebVTT beside it (what was spoken), relative to output/
    sentences: tuple[SentenceTiming, ...] = ()


@dataclass(frozen=True)
class Withheld:
    """An article not published in a locale, and why (for the summary and review pages)."""

    slug: str
    locale: str
    reason: str
