"""The build's pass over each locale's localized pages, after localize: the library-wide
consistency of translations (checks_consistency.py) and the form warnings of translated text
(doubled spaces, start capital; localize reports only the errors that withhold text), at the
msgstr's line as ``check`` reports them.

Cheap on a rebuild: a locale none of whose pages changed replays its warnings (one
``locale-checks`` job, its inputs the pages' prints); otherwise each unchanged page lends its
entries and form warnings from a ``page-checks`` job, kept as one compressed blob (reading a
page's sections again cost about 1 ms a page: 0.18 s for a 200-article locale), and only the
changed pages are walked.
"""
from __future__ import annotations

import pickle
import zlib
from typing import Iterable, Mapping

from pipeline.checks import Checker, checker_for
from pipeline.checks_consistency import Entry, consistency_issues, page_entries
from pipeline.config import Config
from pipeline.incremental import Incremental
from pipeline.jobs import Job
from pipeline.model import Issue, LocalizedArticle, Location, Severity
from pipeline.report import Reporter
from pipeline.state import fingerprint


def report_library_checks(config: Config, pages: Iterable[LocalizedArticle],
                          inputs: Mapping[tuple[str, str], str], done: Incremental,
                          reporter: Reporter) -> None:
    """``inputs``: each page's print (``build.Localized.inputs``), what it was made of."""
    by_locale: dict[str, list[tuple[str, LocalizedArticle]]] = {}
    for page in pages:
        if page.locale != config.source_language and page.po_path:
            key = (page.article.slug, page.locale)
            by_locale.setdefault(page.locale, []).append((inputs.get(key, ""), page))
    for locale, group in sorted(by_locale.items()):
        group.sort(key=lambda pair: pair[1].po_path)
        job = Job("locale-checks", locale, {"pages": fingerprint([p for p, _ in group])},
                  explain=False)
        done.run(job, lambda collect, locale=locale, group=group:
                 _locale_pass(config, locale, group, done, collect), reporter)


def _locale_pass(config: Config, locale: str, group: list[tuple[str, LocalizedArticle]],
                 done: Incremental, reporter: Reporter) -> bool:
    checker = checker_for(config, locale)
    entries: list[Entry] = []
    for made_of, page in group:
        page_list, warnings = _page_checks(page, made_of, checker, done)
        entries += page_list
        for issue in warnings:
            reporter.add(issue)
    for issue in consistency_issues(entries, checker.severity, terms=not checker.glossary):
        reporter.add(issue)
    return True  # a job's value must not be None to be kept


def _page_checks(page: LocalizedArticle, made_of: str, checker: Checker,
                 done: Incremental) -> tuple[list[Entry], list[Issue]]:
    """A page's translated entries and their form warnings, from the last build when the page
    is made of the same inputs (which include the settings, hence the severities)."""
    job = Job("page-checks", f"{page.locale}:{page.article.slug}", {"page": made_of},
              explain=False)
    kept = done.fresh(job) if made_of else None
    if kept is not None:
        rel, rows, warnings = pickle.loads(zlib.decompress(kept))
        return [Entry(rel, *row) for row in rows], warnings
    entries = page_entries([page])
    warnings = [issue for entry in entries
                for issue in checker.style(entry.msgid, entry.msgstr,
                                           Location(entry.rel, entry.line))
                if issue.severity is Severity.WARNING]  # an error withheld it: localize said so
    if made_of:
        rows = tuple((e.line, e.msgid, e.msgstr) for e in entries)
        done.record_job(job, zlib.compress(pickle.dumps(
            (page.po_path, rows, warnings), pickle.HIGHEST_PROTOCOL), 1))
    return entries, warnings
