"""The whole build, top to bottom: read, load catalogs, localize, choose what to publish,
speak, render, write the manifest."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalogs import Catalog
from pipeline.commands import read_sources
from pipeline.config import Config
from pipeline.fsutil import remove_stale_temp_files
from pipeline.locales import locale_info
from pipeline.model import Article, Issue, LocalizedArticle, Location, Severity, Status
from pipeline.quality import checker_for
from pipeline.report import ContentError, Reporter
from pipeline.site import Site, read_checked_catalog, render_review, render_site
from pipeline.stages.localize import localize
from pipeline.stages.update import po_path_for


@dataclass(frozen=True)
class BuildOptions:
    locales: tuple[str, ...] = ()
    audio: bool = True
    jobs: int = 0


@dataclass(frozen=True)
class Withheld:
    """An article not published in a locale, and why (for the summary and review pages)."""

    slug: str
    locale: str
    reason: str


def build(config: Config, reporter: Reporter, options: BuildOptions) -> str:
    started = time.monotonic()
    remove_stale_temp_files(config.output_dir)
    locales = _chosen_locales(config, options, reporter)
    articles = read_sources(config, reporter)
    catalogs = load_catalogs(config, articles, locales, reporter)
    checks = {loc: checker_for(config, loc) for loc in locales}
    localized = [localize(a, loc, catalogs.get((a.slug, loc)), reporter.add, checks[loc])
                 for a in articles for loc in locales
                 if loc == config.source_language or (a.slug, loc) in catalogs]
    published, withheld = choose_published(localized, config)
    audio = speak(published, config, options, reporter)
    site = Site(config, tuple(locales), tuple(published), tuple(withheld), audio)
    pages = render_site(site, reporter)
    pages += render_review(config, localized, {(p.slug, p.locale) for p in published},
                           reporter)
    return _summary(site, pages, time.monotonic() - started, reporter)


def _chosen_locales(config: Config, options: BuildOptions, reporter: Reporter) -> list[str]:
    locales = [config.source_language, *config.locales]
    if not options.locales:
        return locales
    for code in options.locales:
        if code not in locales:
            reporter.error(Location("pipeline.toml"), f"locale '{code}' is not in "
                           "project.locales", "unknown-locale")
    return [c for c in locales if c in options.locales or c == config.source_language]


def load_catalogs(config: Config, articles: list[Article], locales: list[str],
                  reporter: Reporter) -> dict[tuple[str, str], Catalog]:
    """Every (article, locale) PO; a missing or broken one is reported and that page skipped.

    Catalogs are read in threads (each syntax check runs GNU msgfmt) and reported in order.
    """
    wanted = [(article.slug, locale, po_path_for(config.locales_dir, locale, article.slug))
              for locale in locales if locale != config.source_language for article in articles]

    def load(job: tuple[str, str, Path]) -> Catalog | Issue:
        slug, locale, path = job
        rel = config.rel(path)
        if not path.exists():
            return Issue(Location(rel), Severity.ERROR, f"no catalog for '{slug}' in {locale}; "
                         "run 'pipeline extract' and 'pipeline update'", "no-catalog")
        try:
            return read_checked_catalog(path, rel)
        except ContentError as exc:
            return exc.issue

    catalogs: dict[tuple[str, str], Catalog] = {}
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for (slug, locale, _), result in zip(wanted, pool.map(load, wanted)):
            if isinstance(result, Issue):
                reporter.add(result)
            else:
                catalogs[(slug, locale)] = result
    return catalogs


def choose_published(localized: list[LocalizedArticle], config: Config
                     ) -> tuple[list[LocalizedArticle], list[Withheld]]:
    """Articles below the threshold (in source words) stay unpublished in that locale."""
    published, withheld = [], []
    for page in localized:
        if page.locale == config.source_language or page.coverage >= config.publish_threshold:
            published.append(page)
        else:
            withheld.append(Withheld(page.slug, page.locale, f"{page.coverage:.0f}% translated,"
                                     f" below the {config.publish_threshold:.0f}% threshold"))
    return published, withheld


def speak(pages: list[LocalizedArticle], config: Config, options: BuildOptions,
          reporter: Reporter):
    if not (options.audio and config.audio_enabled):
        return None
    from pipeline.stages.speak import speak_articles

    jobs = options.jobs or config.audio_workers or os.cpu_count() or 1
    return speak_articles(pages, config, config.output_dir, jobs, reporter)


def _summary(site: Site, pages: int, seconds: float, reporter: Reporter) -> str:
    for item in site.withheld:
        reporter.progress(f"not published: {item.slug} [{item.locale}]: {item.reason}")
    failing = sum(1 for p in site.pages for s in p.segments if s.status is Status.INVALID)
    parts = []
    for locale in site.locales:
        mine = [p for p in site.pages if p.locale == locale]
        words = sum(p.total_words for p in mine) or 0
        done = sum(p.translated_words for p in mine)
        share = f"{100 * done / words:.0f}%" if words else "-"
        if site.audio is not None and locale in site.audio.silent_locales:
            share += " no audio"
        parts.append(f"{locale_info(locale).tag} {share}" if mine else
                     f"{locale_info(locale).tag} withheld")
    audio = ""
    if site.audio is not None:
        a = site.audio
        audio = (f", {len(a.tracks)} audio file(s) ({a.audio_seconds / 60:.1f} min, "
                 f"real-time factor {a.real_time_factor:.0f}x)")
    held = f", {len(site.withheld)} withheld below threshold" if site.withheld else ""
    bad = f", {failing} failing segment(s) shown in the source language" if failing else ""
    return (f"build: {pages} page(s) in {len(site.locales)} locale(s){audio}{held}{bad} in "
            f"{seconds:.1f}s; {', '.join(parts)}; {reporter.tally()}")
