"""Site chrome text for one locale (skip link, player labels, notes): the interface catalog,
checked once and kept in the build state by content, behind the one publish verdict."""
from __future__ import annotations

import io
from pathlib import Path

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
    published = None
    if locale != config.source_language:
        path = ui_po_path(config.locales_dir, locale)
        if path.exists():
            published = _ui_published(config, path, reporter, done)
        else:
            reporter.warn(Location(config.rel(path)), "no interface catalog; page chrome is "
                          "shown in the source language", "no-catalog")
    return UIText(CatalogTranslations(published), locale_info(locale).tag,
                  config.source_language)


def _ui_published(config: Config, path: Path, reporter: Reporter,
                  done: Incremental | None) -> dict[str, str] | None:
    """An interface catalog's published entries (msgid -> msgstr): checked (msgfmt), read and
    judged once, then kept in the build state by content with its warnings, since checking
    every locale's took a tenth of a no-op rebuild."""
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
            published = None
        else:
            published = _judge(catalog, checker_for(config, path.parent.parent.name), collect)
        kept = (published, tuple(collect.issues))
        if done:
            done.record_job(job, kept)
    for issue in kept[1]:
        reporter.add(issue)
    return kept[0]


def _judge(catalog: Catalog, checker: Checker, reporter: Reporter) -> dict[str, str]:
    """The entries the publish verdict accepts. Those it rejects (markup or placeholders
    differ, or an error-severity check fails) are shown in the source language: tell the
    translator where and why."""
    published = {}
    for msgid, entry in catalog.entries.items():
        verdict = ui_verdict(catalog, msgid, checker)
        if verdict.published:
            published[msgid] = entry.msgstr
        for code, message in verdict.problems if verdict.status is Status.INVALID else ():
            reporter.warn(Location(catalog.rel, entry.line),
                          f"{message}; the source text is shown instead", code)
    return published
