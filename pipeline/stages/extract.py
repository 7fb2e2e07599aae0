"""Extract stage: ``Article`` -> ``locales/<slug>.pot``.

One entry per translatable segment, with ``#.`` comments telling the translator where the text
stands and ``#:`` references to the source line. A POT whose entries did not change is not
rewritten, so its POT-Creation-Date never churns.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline.catalogs import TemplateEntry, pot_creation_date, render_pot, same_except_date
from pipeline.fsutil import write_text_atomic
from pipeline.inline import tokenize
from pipeline.model import Article, ExtractResult, Role, Segment

_TAG_HELP = {
    "em": "<em>…</em> marks emphasis",
    "strong": "<strong>…</strong> marks strong emphasis",
    "code": "<code>…</code> marks code or a literal value",
    "br": "<br/> is a line break",
}


def template_entries(article: Article) -> list[TemplateEntry]:
    headings = {s.id: s.heading.text for s in article.sections if s.heading}
    merged: dict[str, tuple[list, list]] = {}
    for segment in article.translatable_segments:
        if not segment.text:
            continue
        occurrences, comments = merged.setdefault(segment.text, ([], []))
        occurrences.append((segment.location.path, segment.location.line))
        for comment in _comments(segment, headings):
            if comment not in comments:
                comments.append(comment)
    return [TemplateEntry(msgid, tuple(occ), tuple(com))
            for msgid, (occ, com) in merged.items()]


def _comments(segment: Segment, headings: dict[str, str]) -> list[str]:
    if segment.role in (Role.TITLE, Role.SUBTITLE):
        where = f"Article {segment.role.value}"
    elif segment.role is Role.HEADING:
        where = f"Section heading ({segment.section_id})"
    else:
        heading = headings.get(segment.section_id, "Introduction")
        where = f"Section \"{heading}\" ({segment.section_id}): {segment.role.value}"
    notes = [where]
    tags = {t.value for t in tokenize(segment.text) if t.kind != "text"}
    for tag in sorted(tags):
        if tag in _TAG_HELP:
            notes.append(f"Keep the tags: {_TAG_HELP[tag]}.")
    for link in segment.links:
        notes.append(f"<a{link.number}>…</a{link.number}> is a link to {link.url}; keep the "
                     "tags around the translated link text.")
    if segment.role is Role.IMAGE_ALT:
        notes.append("Describe the image for people who cannot see it.")
    return notes


def extract_article(article: Article, locales_dir: Path, project: str) -> ExtractResult:
    return write_template(locales_dir / f"{article.slug}.pot", article.slug,
                          template_entries(article), project)


def write_template(pot_path: Path, slug: str, entries: list[TemplateEntry],
                   project: str) -> ExtractResult:
    try:  # the old template only lends its date; replacement characters do no harm there
        old = pot_path.read_bytes().decode("utf-8", "replace")
    except OSError:  # none yet, or not a file: the write below says why it fails
        old = ""
    date = pot_creation_date(old) if old else None
    text = render_pot(entries, project, date or _now())
    if old and not same_except_date(old, text):
        text = render_pot(entries, project, _now())
    written = write_text_atomic(pot_path, text, durable=False)  # derived; checked by content
    return ExtractResult(slug, pot_path, len(entries), written)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
