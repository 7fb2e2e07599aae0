"""Review pages for translators and coordinators at ``output/_review/`` (noindex, unlinked).

A coverage grid (locale x article) and, per article and locale, source and translation side by
side with each segment's status, the reason a segment is not published, a fuzzy entry's
previous source as a diff, and the PO file and line to edit.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Mapping

from markupsafe import Markup, escape

from pipeline.config import Config
from pipeline.fsutil import write_text_atomic
from pipeline.incremental import Incremental
from pipeline.inline import to_plain
from pipeline.locales import locale_info
from pipeline.model import LocalizedArticle, LocalizedSegment, Status
from pipeline.state import fingerprint
from pipeline.stages.render import Renderer
from pipeline.textsafety import visible


@dataclass(frozen=True)
class ReviewRow:
    segment: LocalizedSegment
    where: str  # PO file:line, or the source file:line
    diff: Markup  # previous -> current source, for fuzzy entries
    # The source and the translation (published or proposed) as the page shows them, with
    # invisible controls written out ("<U+202E>"): a refused msgstr is shown here, and its
    # translator must see what is wrong, not have it act on the review page.
    source: str = ""
    translation: str = ""


def word_diff(old: str, new: str) -> Markup:
    """Words removed and added, as <del>/<ins> (escaped), so a translator sees what changed."""
    a = re.findall(r"\S+|\s+", visible(to_plain(old)))
    b = re.findall(r"\S+|\s+", visible(to_plain(new)))
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
    return Markup("".join(out))


def _rows(page: LocalizedArticle) -> list[ReviewRow]:
    rows = []
    for seg in page.segments:
        if not seg.source.translatable:
            continue
        where = f"{page.po_path}:{seg.po_line}" if seg.po_line else page.po_path or str(
            seg.source.location)
        diff = word_diff(seg.previous, seg.source.text) if seg.previous else Markup("")
        shown = seg.text if seg.status is Status.TRANSLATED else seg.proposed
        rows.append(ReviewRow(seg, where, diff, visible(seg.source.text), visible(shown)))
    return rows


def render_review(config: Config, pages: list[LocalizedArticle], published: set[tuple],
                  renderer: Renderer, done: Incremental,
                  inputs: Mapping[tuple[str, str], str],
                  stale: Mapping[tuple[str, str], str] | None = None) -> int:
    """``stale``: (slug, locale) -> why the page shown is the last good one (build.py)."""
    stale = stale or {}
    out = config.output_dir / "_review"
    translated = [p for p in pages if p.locale != config.source_language]
    locales = list(dict.fromkeys(p.locale for p in translated))
    slugs = sorted({p.slug for p in translated})
    grid = {(p.locale, p.slug): p for p in translated}
    source = locale_info(config.source_language)
    count = 0
    for page in translated:
        target = out / page.lang / f"{page.slug}.html"
        parts = {"article": inputs.get((page.slug, page.locale), ""), "site": done.site,
                 "published": str((page.slug, page.locale) in published),
                 "stale": stale.get((page.slug, page.locale), "")}
        key = f"review:{page.lang}/{page.slug}.html"
        count += 1
        if done.reuse(key, parts, target):
            continue
        html = renderer.review_page("review_article.html", source, depth=2, article=page,
                                    rows=_rows(page),
                                    target=locale_info(page.locale),
                                    published=(page.slug, page.locale) in published,
                                    stale=stale.get((page.slug, page.locale), ""))
        write_text_atomic(target, html)
        done.record(key, parts, True)
    # The grid of a library (1,600 cells) is rendered again only when a cell changes.
    parts = {"site": done.site, "grid": fingerprint(repr(
        [(p.locale, p.slug, p.coverage, (p.slug, p.locale) in published) for p in translated]),
        sorted(stale))}
    if not done.reuse("review:index.html", parts, out / "index.html"):
        html = renderer.review_page("review_index.html", source, depth=1,
                                    locales=[locale_info(c) for c in locales], slugs=slugs,
                                    grid=grid, published=published, stale=stale,
                                    threshold=config.publish_threshold)
        write_text_atomic(out / "index.html", html)
        done.record("review:index.html", parts, True)
    return count + 1
