"""Site chrome text for one locale (skip link, player labels, notes): the interface catalog,
checked once and kept in the build state by content, behind the one publish verdict."""
from __future__ import annotations

import io
from pathlib import Path
from types import MappingProxyType

from pipeline.catalogs import Catalog, read_checked_catalog
from pipeline.checks import Checker, checker_for
from pipeline.config import Config
from pipeline.incremental import Incremental
from pipeline.jobs import Job
from pipeline.locales import locale_info
from pipeline.model import Location, Status
from pipeline.report import ContentError, Reporter
from pipeline.stages.render import UIText
from pipeline.ui import CatalogTranslations, ui_po_path, ui_verdict


def ui_text(config: Config, locale: str, reporter: Reporter,
             done: Incremental | None = None) -> UIText:
    catalog = None
    if locale != config.source_language:
        path = ui_po_path(config.locales_dir, locale)
        if path.exists():
            catalog = _ui_catalog(config, path, reporter, done)
        else:
            reporter.warn(Location(config.rel(path)), "no interface catalog; page chrome is "
                          "shown in the source language", "no-catalog")
    checker = checker_for(config, locale) if catalog is not None else None
    return UIText(CatalogTranslations(catalog, checker), locale_info(locale).tag,
                  config.source_language)


def _ui_catalog(config: Config, path: Path, reporter: Reporter,
                done: Incremental | None) -> Catalog | None:
    """An interface catalog, checked (msgfmt) and read; kept in the build state by content,
    with its warnings, since checking every locale's took a tenth of a no-op rebuild."""
    rel = config.rel(path)
    glossary = path.parent.parent / "glossary.po"
    # The settings (check severities) and glossary decide which entries are published.
    job = Job("ui", rel, {"catalog": done.file(path), "settings": done.settings,
                          "glossary": done.file(glossary)} if done else {}, explain=False)
    kept = done.fresh(job) if done else None
    if kept is None:
        collect = Reporter(io.StringIO(), quiet=True)
        try:
            catalog = read_checked_catalog(path, rel)
        except ContentError as exc:
            collect.add(exc.issue)
            catalog = None
        else:
            _warn_rejected_ui(catalog, checker_for(config, path.parent.parent.name), collect)
        kept = (catalog and (catalog.language, dict(catalog.entries)), tuple(collect.issues))
        if done:
            done.record_job(job, kept)
    for issue in kept[1]:
        reporter.add(issue)
    if kept[0] is None:
        return None
    return Catalog(path, rel, kept[0][0], MappingProxyType(kept[0][1]))


def _warn_rejected_ui(catalog: Catalog, checker: Checker, reporter: Reporter) -> None:
    """Interface translations that the publish verdict rejects (markup or placeholders differ,
    or an error-severity check fails) are shown in the source language; tell the translator
    where and why."""
    for msgid, entry in catalog.entries.items():
        verdict = ui_verdict(catalog, msgid, checker)
        for code, message in verdict.problems if verdict.status is Status.INVALID else ():
            reporter.warn(Location(catalog.rel, entry.line),
                          f"{message}; the source text is shown instead", code)
