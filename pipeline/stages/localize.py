"""Localize stage: ``Article`` x catalog -> ``LocalizedArticle``.

A segment shows its msgstr only when the one publish verdict (verdict.py) says so; otherwise
it falls back to the source text and keeps the source language, so the page marks it with
``lang`` and ``dir`` and screen readers switch voice. Fuzzy text is never published: a fuzzy suggestion can
be wrong in meaning.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from pipeline.catalogs import Catalog
from pipeline.checks import Checker
from pipeline.inline import word_count
from pipeline.locales import locale_info
from pipeline.textsafety import front_matter_safety, source_safety
from pipeline.model import (Article, Block, Issue, LocalizedArticle, LocalizedBlock,
                            LocalizedSection, LocalizedSegment, Location, Segment, Severity,
                            Status)
from pipeline.verdict import publish_verdict


def localize(article: Article, locale: str, catalog: Catalog | None,
             warn: Callable[[Issue], None], checker: Checker | None = None,
             speech: Callable[[str, Location], list[Issue]] | None = None
             ) -> LocalizedArticle:
    """``speech``: the locale's ``[speech]`` checker (stages/speech_checks.py), for a
    spoken locale; it sees the text the page shows in the locale's own language only (the
    source page reports the source text once; fallback text is not reported again)."""
    source = locale_info(article.lang)
    target = locale_info(locale)
    is_source = catalog is None
    article = _safe_front_matter(article, warn if is_source else None)

    def spoken(text: str, where: Location) -> None:
        for issue in speech(text, where) if speech is not None else ():
            warn(issue)

    def one(raw: Segment) -> LocalizedSegment:
        # Source text is checked like translations (textsafety.py): an unsafe character is
        # reported once, at its source line, when the source page is made, and never shown.
        # The catalog is still searched with the raw text, which is the msgid.
        segment, problems = source_safety(raw, source.direction)
        for issue in problems if is_source else ():
            warn(issue)

        def fallback(status: Status, reason: str = "", line: int = 0, proposed: str = "",
                     previous: str = "") -> LocalizedSegment:
            return LocalizedSegment(segment, segment.text, source.tag, source.direction,
                                    status, reason, line, proposed, previous)

        if is_source and segment.translatable:  # citations: see stages/speech_checks.py
            spoken(segment.text, segment.location)
        if not segment.translatable:
            return fallback(Status.SOURCE if is_source else Status.NOT_TRANSLATABLE)
        if is_source:
            return LocalizedSegment(segment, segment.text, target.tag, target.direction,
                                    Status.SOURCE)
        entry = catalog.entries.get(raw.text)
        line = entry.line if entry else 0
        verdict = publish_verdict(raw.text, entry, Location(catalog.rel, line), checker)
        if verdict.status is Status.UNTRANSLATED:
            return fallback(Status.UNTRANSLATED, line=line)
        if verdict.status is Status.FUZZY:
            return fallback(Status.FUZZY, verdict.reason, line, entry.msgstr,
                            entry.previous_msgid)
        if not verdict.published:
            for code, message in verdict.problems:
                warn(Issue(Location(catalog.rel, line), Severity.WARNING,
                           f"{message}; the source text is shown instead", code))
            return fallback(Status.INVALID, verdict.reason, line, entry.msgstr)
        spoken(entry.msgstr, Location(catalog.rel, entry.line))
        return LocalizedSegment(segment, entry.msgstr, target.tag, target.direction,
                                Status.TRANSLATED, "", entry.line)

    return _assemble(article, locale, catalog.rel if catalog else "", one)


def _assemble(article: Article, locale: str, po_rel: str,
              one: Callable[[Segment], LocalizedSegment]) -> LocalizedArticle:
    """The localized article, each segment made by ``one`` in the order of the file."""
    target = locale_info(locale)

    def block(b: Block) -> LocalizedBlock:
        return LocalizedBlock(b.kind, tuple(one(s) for s in b.segments),
                              b.image.src if b.image else "",
                              one(b.image.alt) if b.image else None, b.start)

    title = one(article.title)  # first, so warnings come in the order of the file
    subtitle = one(article.subtitle) if article.subtitle else None
    sections = tuple(
        LocalizedSection(s.id, one(s.heading) if s.heading else None,
                         tuple(block(b) for b in s.blocks))
        for s in article.sections
    )
    localized = LocalizedArticle(article, locale, target.tag, target.direction, title, subtitle,
                                 sections, po_rel)
    return LocalizedArticle(article, locale, target.tag, target.direction, title, subtitle,
                            sections, po_rel, *_counts(localized))


def _counts(page: LocalizedArticle) -> tuple[int, int, int, int]:
    """Translated and total source words, fallback and failing segments of a page."""
    total = translated = fallbacks = failing = 0
    for seg in page.segments:
        failing += seg.status is Status.INVALID
        if not seg.source.translatable:
            continue
        fallbacks += seg.status.is_fallback
        words = word_count(seg.source.text)
        total += words
        if seg.status in (Status.TRANSLATED, Status.SOURCE):
            translated += words
    return translated, total, fallbacks, failing


def _safe_front_matter(article: Article, report: Callable[[Issue], None] | None) -> Article:
    """The article with a front-matter author that pages may show (bylines)."""
    if not article.author:
        return article
    author, problems = front_matter_safety(article.author, "author", article.location)
    if not problems:
        return article
    if report is not None:
        where = Location(article.location.path, _front_matter_line(article, "author"))
        for issue in problems:
            report(replace(issue, location=where))
    return replace(article, author=author)


def _front_matter_line(article: Article, key: str) -> int:
    try:
        lines = article.path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return 0
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), 0)
