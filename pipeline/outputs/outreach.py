"""What outreach teams hand to patients, made after the pages and the audio: podcast feeds,
PDF handouts, bilingual handouts, EPUB talking books and offline bundles.

Each kind is one module with one function ``write(built, writer, reporter) -> int`` (the
number of files it made or kept) and one line in ``OUTREACH`` below; ``build()`` calls them
in this order (bundles last: they pack what the others wrote). Where each file lives is
decided here, once, for the writers and for the pages that link to them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from pipeline.model import LocalizedArticle
from pipeline.outputs.article_audio import ArticleAudio
from pipeline.site import Site


@dataclass(frozen=True)
class Built:
    """The finished site, as the outreach writers see it."""
    site: Site
    speech: Any  # the SpeakResult (every track final), or None when audio is off
    article_audio: tuple[ArticleAudio, ...]  # the whole-article MP3s, in page order
    workers: int = 1  # processes for CPU-heavy jobs (PDFs) on this machine

    @cached_property
    def _audio_by_page(self) -> dict[tuple[str, str], ArticleAudio]:
        return {(audio.locale, audio.slug): audio for audio in self.article_audio}

    def audio_of(self, page: LocalizedArticle) -> ArticleAudio | None:
        # a lookup, not a scan: two kinds ask for every page (1,800 x 1,800 in a library)
        return self._audio_by_page.get((page.locale, page.slug))


def handout_path(lang: str, slug: str) -> str:
    return f"{lang}/{slug}.pdf"


def bilingual_path(lang: str, slug: str) -> str:
    return f"{lang}/{slug}.bilingual.pdf"


def epub_path(lang: str, slug: str) -> str:
    return f"{lang}/{slug}.epub"


def bundle_path(lang: str) -> str:
    return f"bundles/{lang}.zip"


def has_bilingual(site: Site, page: LocalizedArticle) -> bool:
    """A bilingual handout pairs a translation with its source: not for source pages."""
    return site.config.outputs.bilingual and page.locale != site.config.source_language


@dataclass(frozen=True)
class Takeaway:
    """A file an article page offers to take away: ``kind`` is "pdf", "bilingual", "epub"
    or "epub-text" (no audio); ``href`` is relative to the page."""
    kind: str
    href: str
    media_type: str


def takeaways(site: Site, page: LocalizedArticle, has_audio: bool) -> tuple[Takeaway, ...]:
    """What the page links to, in this order: the one rule for the page and the writers.
    Files are named after the page (``<slug>.pdf`` beside ``<slug>.html``)."""
    outputs, slug = site.config.outputs, page.slug
    found = []
    if outputs.pdf:
        found.append(Takeaway("pdf", f"{slug}.pdf", "application/pdf"))
    if has_bilingual(site, page):
        found.append(Takeaway("bilingual", f"{slug}.bilingual.pdf", "application/pdf"))
    if outputs.epub:
        found.append(Takeaway("epub" if has_audio else "epub-text", f"{slug}.epub",
                              "application/epub+zip"))
    return tuple(found)


def _registry() -> tuple[Callable[..., int], ...]:
    # Imported by name when the build reaches this phase: a site without PDFs never loads
    # WeasyPrint, and the kinds can import their path rules from here without a circle.
    from importlib import import_module

    names = ("podcast", "handout", "bilingual", "epub",
             "bundle")  # last: it packs what the others wrote
    return tuple(import_module(f"pipeline.outputs.{name}").write for name in names)


def write_outreach(built: Built, writer: Any, reporter: Any) -> dict[str, int]:
    """Every outreach kind in order; the number of files each made or kept."""
    return {write.__module__.rsplit(".", 1)[-1]: write(built, writer, reporter)
            for write in _registry()}


_MADE = {"podcast": "podcast feed(s)", "handout": "PDF handout(s)",
         "bilingual": "bilingual handout(s)", "epub": "EPUB book(s)",
         "bundle": "offline bundle(s)"}


def describe_outreach(made: dict[str, int]) -> str:
    """For the build's summary: ", 7 PDF handout(s), 6 bilingual handout(s), ..." (made or
    kept), nothing for the kinds that are off."""
    return "".join(f", {count} {_MADE.get(kind, kind)}" for kind, count in made.items()
                   if count)
