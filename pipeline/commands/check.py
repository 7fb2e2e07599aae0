"""``pipeline check``: every translation's problems at its msgstr line, each catalog's
Plural-Forms against the project's table, for spoken locales the speech lexicon
(``locales/<ll>/speech.po``) and the ``[speech]`` warnings of the text the voice reads, and
the consistency of each locale's translations across the library (checks_consistency.py)."""
from __future__ import annotations

from typing import Iterable, Iterator

from pipeline.catalogs import Catalog, read_checked_catalog
from pipeline.checks import Checker, checker_for
from pipeline.checks_consistency import catalog_entries, consistency_issues
from pipeline.config import Config, chosen_locales
from pipeline.model import Article, Issue, Location, Severity
from pipeline.plurals import plural_forms_differ
from pipeline.report import ContentError, Reporter
from pipeline.stages.read import read_sources
from pipeline.stages.speech_checks import check_speech_po, speech_checker_for
from pipeline.ui import UI_DOMAIN, po_path_for, ui_po_path


def catalogs_for(config: Config, locale: str, articles: list[Article], reporter: Reporter
              ) -> list[tuple[str, Catalog]]:
    found = []
    paths = [(a.slug, po_path_for(config.locales_dir, locale, a.slug)) for a in articles]
    paths.append((UI_DOMAIN, ui_po_path(config.locales_dir, locale)))
    for slug, path in paths:
        if not path.exists():
            reporter.error(Location(config.rel(path)), "no catalog; run 'pipeline update'",
                           "no-catalog")
            continue
        try:
            found.append((slug, read_checked_catalog(path, config.rel(path))))
        except ContentError as exc:
            reporter.add(exc.issue)
    return found


def check(config: Config, reporter: Reporter, locales: list[str] | None) -> str:
    articles = read_sources(config, reporter)
    totals = []
    if not locales and speech_checker_for(config, config.source_language) is not None:
        # The source text is spoken too: its [speech] warnings are at its source lines.
        totals.append(_report(config.source_language, source_speech_issues(config, articles),
                              reporter))
    for locale in chosen_locales(config, locales, reporter):
        totals.append(_report(locale, locale_issues(config, locale, articles, reporter),
                              reporter))
    return f"check: {len(totals)} locale(s); {reporter.tally()}"


def _report(locale: str, issues: Iterable[Issue], reporter: Reporter) -> str:
    errors = warnings = 0
    for issue in issues:
        reporter.add(issue)
        errors += issue.severity is Severity.ERROR
        warnings += issue.severity is Severity.WARNING
    line = f"{locale}: {errors} error(s), {warnings} warning(s)"
    reporter.progress(line)
    return line


def locale_issues(config: Config, locale: str, articles: list[Article], reporter: Reporter
                  ) -> Iterator[Issue]:
    """A locale's problems, in file order: its speech lexicon's, then each catalog's header
    and translations (``[speech]`` warnings for spoken text: not the interface's)."""
    checker = checker_for(config, locale)
    speech = speech_checker_for(config, locale)
    yield from check_speech_po(config, locale)
    catalogs = catalogs_for(config, locale, articles, reporter)
    for slug, catalog in catalogs:
        if (issue := plural_forms_issue(locale, catalog, checker)) is not None:
            yield issue
        for msgid, entry in sorted(catalog.entries.items(), key=lambda kv: kv[1].line):
            if not entry.msgstr or entry.fuzzy:
                continue
            where = Location(catalog.rel, entry.line)
            yield from checker.check(msgid, entry.msgstr, where, interface=slug == UI_DOMAIN)
            if speech is not None and slug != UI_DOMAIN:
                yield from speech(entry.msgstr, where)
    # Across the locale's catalogs, once they are all read: consistency [consistency, terms].
    yield from consistency_issues(catalog_entries(catalog for _, catalog in catalogs),
                                  checker.severity, terms=not checker.glossary)


def source_speech_issues(config: Config, articles: list[Article]) -> Iterator[Issue]:
    """The source language's speech lexicon, and its text's ``[speech]`` warnings."""
    speech = speech_checker_for(config, config.source_language)
    yield from check_speech_po(config, config.source_language)
    for article in articles:
        for segment in article.translatable_segments:  # not citations (speech_checks.py)
            yield from speech(segment.text, segment.location)


def plural_forms_issue(locale: str, catalog: Catalog, checker: Checker) -> Issue | None:
    """A warning at the header line when a catalog's Plural-Forms is not the project's.
    Never fixed by ``update``: the translator's plural entries are numbered by it."""
    expected = plural_forms_differ(locale, catalog.plural_forms)
    severity = checker.severity["plural-forms"]
    if expected is None or not catalog.plural_forms or severity == "off":
        return None
    return Issue(Location(catalog.rel, catalog.plural_forms_line), Severity(severity),
                 f"Plural-Forms '{catalog.plural_forms}' is not the project's rule for "
                 f"'{locale}'; expected '{expected}' (check the plural entries before "
                 "changing it)", "plural-forms")


def run(args, config: Config, reporter: Reporter) -> str:
    return check(config, reporter, args.locales)
