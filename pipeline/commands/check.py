"""``pipeline check``: every translation's problems at its msgstr line, and each catalog's
Plural-Forms against the project's table."""
from __future__ import annotations

from pipeline.catalogs import Catalog, read_checked_catalog
from pipeline.checks import Checker, checker_for
from pipeline.config import Config, chosen_locales
from pipeline.model import Article, Issue, Location, Severity
from pipeline.plurals import plural_forms_differ
from pipeline.report import ContentError, Reporter
from pipeline.stages.read import read_sources
from pipeline.stages.update import po_path_for
from pipeline.ui import UI_DOMAIN, ui_po_path


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
    for locale in chosen_locales(config, locales, reporter):
        checker = checker_for(config, locale)
        errors = warnings = 0
        for _slug, catalog in catalogs_for(config, locale, articles, reporter):
            if (issue := plural_forms_issue(locale, catalog, checker)) is not None:
                reporter.add(issue)
                errors += issue.severity is Severity.ERROR
                warnings += issue.severity is Severity.WARNING
            for msgid, entry in sorted(catalog.entries.items(), key=lambda kv: kv[1].line):
                if not entry.msgstr or entry.fuzzy:
                    continue
                for issue in checker.check(msgid, entry.msgstr,
                                           Location(catalog.rel, entry.line)):
                    reporter.add(issue)
                    errors += issue.severity is Severity.ERROR
                    warnings += issue.severity is Severity.WARNING
        line = f"{locale}: {errors} error(s), {warnings} warning(s)"
        reporter.progress(line)
        totals.append(line)
    return f"check: {len(totals)} locale(s); {reporter.tally()}"


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
