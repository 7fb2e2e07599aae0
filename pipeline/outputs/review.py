"""Review pages for translators and coordinators at ``output/_review/`` (noindex, unlinked).

A coverage grid (locale x article) and, per article and locale, source and translation side by
side with each segment's status, the reason a segment is not published, a fuzzy entry's
previous source as a diff, and the PO file and line to edit; for a locale with a voice, what
the voice says for each segment, changed tokens marked (``review_speech``).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline.inline import to_plain
from pipeline.jobs import Job
from pipeline.locales import locale_info
from pipeline.model import LocalizedArticle, LocalizedSegment, Status
from pipeline.outputs.review_speech import (SpeechCell, is_voiced, speech_cells, speech_note,
                                            speech_print)
from pipeline.report import ContentError, Reporter
from pipeline.site import Site
from pipeline.state import fingerprint
from pipeline.stages.render import Renderer
from pipeline.textsafety import visible
from pipeline.writer import OutputWriter


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
    # What the voice says for the segment; None: the page's locale has no voice.
    speech: SpeechCell | None = None


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


# The title is not read by the page's audio (only its sections are).
_NOT_READ = SpeechCell(silent="not in the audio")


def _rows(page: LocalizedArticle, cells: dict[LocalizedSegment, SpeechCell] | None
          ) -> list[ReviewRow]:
    rows = []
    for seg in page.segments:
        if not seg.source.translatable:
            continue
        where = f"{page.po_path}:{seg.po_line}" if seg.po_line else page.po_path or str(
            seg.source.location)
        diff = word_diff(seg.previous, seg.source.text) if seg.previous else Markup("")
        shown = seg.text if seg.status is Status.TRANSLATED else seg.proposed
        speech = None if cells is None else cells.get(seg, _NOT_READ)
        rows.append(ReviewRow(seg, where, diff, visible(seg.source.text), visible(shown),
                              speech))
    return rows


def write_review(site: Site, localized: list[LocalizedArticle], writer: OutputWriter,
                 reporter: Reporter) -> int:
    """Every translated page's review page and the coverage grid; ``localized`` holds the
    pages not published too (below the threshold), which translators need most."""
    renderer = Renderer(site.config.root, site.config.name, site.config.source_language)
    published = {(p.slug, p.locale) for p in site.pages}
    try:
        return _write_review(site, localized, published, renderer, writer)
    except ContentError as exc:
        reporter.add(exc.issue)
        return 0


def _write_review(site: Site, pages: list[LocalizedArticle], published: set[tuple],
                  renderer: Renderer, writer: OutputWriter) -> int:
    config, done, stale = site.config, site.done, site.kept
    translated = [p for p in pages if p.locale != config.source_language]
    source = locale_info(config.source_language)
    prints: dict[str, str] = {}  # locale -> its lexicons' print, read once per build
    for page in translated:
        where = (page.slug, page.locale)
        job = Job("review", f"{page.lang}/{page.slug}.html", {
            "article": site.inputs.get(where, ""), "site": done.site,
            "published": str(where in published), "stale": stale.get(where, ""),
            "speech": speech_print(page, config, prints)},
            config.output_dir / "_review" / page.lang / f"{page.slug}.html")
        if done.fresh(job):
            writer.keep(job.target)
            continue
        writer.write_text(job.target, _article_page(site, page, published, renderer))
        done.record_job(job, True)
    # The grid of a library (1,600 cells) is rendered again only when a cell changes.
    job = Job("review", "index.html", {"site": done.site, "grid": fingerprint(repr(
        [(p.locale, p.slug, p.coverage, (p.slug, p.locale) in published) for p in translated]),
        sorted(stale))}, config.output_dir / "_review" / "index.html")
    if done.fresh(job):
        writer.keep(job.target)
    else:
        writer.write_text(job.target, renderer.review_page(
            "review_index.html", source, depth=1,
            locales=[locale_info(c) for c in dict.fromkeys(p.locale for p in translated)],
            slugs=sorted({p.slug for p in translated}),
            grid={(p.locale, p.slug): p for p in translated}, published=published,
            stale=stale, threshold=config.publish_threshold))
        done.record_job(job, True)
    return len(translated) + 1


def _article_page(site: Site, page: LocalizedArticle, published: set[tuple],
                  renderer: Renderer) -> str:
    config, where = site.config, (page.slug, page.locale)
    voiced = is_voiced(page, config)
    return renderer.review_page(
        "review_article.html", locale_info(config.source_language), depth=2, article=page,
        rows=_rows(page, speech_cells(page, config) if voiced else None),
        target=locale_info(page.locale), published=where in published,
        stale=site.kept.get(where, ""), speech=speech_note(page, config) if voiced else None)
