"""The whole build, top to bottom (MkDocs' ``commands/build.py`` is the model): read,
localize, choose what to publish, start speech, write what does not wait for audio, wait,
write the rest, the manifest, and close the writer (which removes outputs no longer made)."""
from __future__ import annotations

import os
import time
from contextlib import nullcontext
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.catalogs import Catalog, read_checked_catalog
from pipeline.checks import Checker
from pipeline.checks_library import report_library_checks
from pipeline.stages.read import cached_reader, read_sources
from pipeline.config import Config, chosen_locales
from pipeline.fsutil import remove_stale_temp_files
from pipeline.incremental import Counters, Incremental, one_build_at_a_time
from pipeline.jobs import Job
from pipeline.locales import locale_info
from pipeline.manifest import draft_manifest
from pipeline.model import Article, Issue, LocalizedArticle, Location, Severity, Withheld
from pipeline.outputs.article_audio import write_article_audio
from pipeline.outputs.assets import copy_media, write_assets
from pipeline.outputs.pages import PageWriter
from pipeline.outputs.outreach import Built, describe_outreach, write_outreach
from pipeline.outputs.review import write_review
from pipeline.report import ContentError, Reporter
from pipeline.site import Site, Speech
from pipeline.stages.localize import localize
from pipeline.stages.speech_checks import (SpeechChecker, lexicon_issues, speech_checker_for,
                                           speech_print)
from pipeline.ui import po_path_for
from pipeline.stages.warm_speaker import warm_speaker
from pipeline.state import fingerprint
from pipeline.tts import default_engine
from pipeline.tts.voices import voice_for
from pipeline.writer import OutputWriter


@dataclass(frozen=True)
class BuildOptions:
    locales: tuple[str, ...] = ()
    audio: bool = True
    jobs: int = 0
    force: bool = False  # ignore what earlier builds recorded and cached
    explain: bool = False  # say why each job ran
    engine_factory: Any = None  # speech engine; None means espeak-ng (tests pass a fake)
    speaker: Any = None  # a WarmSpeaker the caller forked earlier (the CLI), or None


def build(config: Config, reporter: Reporter, options: BuildOptions) -> str:
    started = time.monotonic()
    with one_build_at_a_time(config, reporter) as unfinished:
        # Forked first, before the state loads: it readies the speech engine meanwhile.
        with _warm_speaker(config, options) as speaker:
            done = Incremental(config, reporter, options.force, options.explain)
            if unfinished or not done.state.base_id:
                remove_stale_temp_files(config.output_dir)
            locales = (config.source_language, *config.locales)
            articles = read_sources(config, reporter, read=cached_reader(done))
            localized = localize_all(config, articles, list(locales), reporter, done,
                                     _chosen_locales(config, options, reporter))
            report_library_checks(config, localized.pages, localized.inputs, done, reporter)
            published, withheld = choose_published(localized.pages, config)
            writer = OutputWriter(config.output_dir, done)
            # Speech starts; a few changed sections may still be spoken while pages render.
            speech = speak(published, localized.inputs, config, options, reporter, done,
                           speaker, writer)
            site = Site(config, locales, tuple(published), tuple(withheld), speech,
                        localized.inputs, done, localized.kept)
            write_review(site, localized.pages, writer, reporter)
            write_assets(writer)
            pages = PageWriter(site, writer, reporter)
            ready = speech.ready if speech is not None else None
            pages.write_ready(ready, speech.waiting if speech is not None else frozenset())
            copy_media(site, writer, reporter)
            manifest = draft_manifest(site, ready)
            final = speech.result() if speech is not None else None  # the wait, if any
            pages.write_waiting(final)
            whole = write_article_audio(site, final, writer, reporter)
            made = write_outreach(Built(site, final, whole, _workers(config, options)),
                                  writer, reporter)
            writer.write_text("manifest.json", manifest.finish(final, whole))
            _close(writer, site, final)
        _count_audio(final, done.counters)
        done.finish(started)
    return _summary(site, done.counters, time.monotonic() - started, reporter, made)


def _warm_speaker(config: Config, options: BuildOptions) -> Any:
    """The caller's early speaker when it has one (closed here if audio turns out to be off:
    it would only take a core), or one forked now."""
    wanted = options.audio and config.audio_enabled and not config.scheduler  # a cluster speaks
    if options.speaker is not None:
        if not wanted:
            options.speaker.close()
        return nullcontext(options.speaker if wanted else None)
    return warm_speaker(wanted, options.engine_factory or default_engine)


def _close(writer: OutputWriter, site: Site, final: Any) -> None:
    """Every audio file the site lists is current, including those no job rewrote; what an
    earlier build made and this one did not goes (old audio stays when there is no audio)."""
    if final is not None:
        writer.keep_all(path for track in final.tracks
                        for path in (track.path, track.transcript) if path)
    writer.close(["assets", "media", "_review", "bundles",
                  *(locale_info(c).tag for c in site.locales)], keep_audio=final is None)


def _chosen_locales(config: Config, options: BuildOptions, reporter: Reporter) -> list[str]:
    locales = [config.source_language, *config.locales]
    chosen = chosen_locales(config, options.locales, reporter, allowed=locales)
    return [config.source_language, *(c for c in chosen if c != config.source_language)]


@dataclass(frozen=True)
class Localized:
    pages: list[LocalizedArticle]
    inputs: dict[tuple[str, str], str]  # (slug, locale) -> print of what the page was made of
    # (slug, locale) -> why the last good page was kept instead of a new one (a broken catalog)
    kept: dict[tuple[str, str], str]


def localize_all(config: Config, articles: list[Article], locales: list[str],
                 reporter: Reporter, done: Incremental, selected: list[str] | None = None
                 ) -> Localized:
    """Every article in every locale; unchanged (source, catalog, glossary, settings) reuse
    the last build's result and re-report its warnings. Locales not ``selected`` (``build -l``)
    and pages whose catalog is broken keep the last build's page: publishing never goes
    backwards because of a typo in one file or a partial build."""
    results: dict[tuple[str, str], LocalizedArticle] = {}
    inputs: dict[tuple[str, str], str] = {}
    kept: dict[tuple[str, str], str] = {}
    todo = []
    speech_prints = _speech_prints(config, [loc for loc in locales
                                            if selected is None or loc in selected], reporter)
    for article in articles:
        for locale in locales:
            if selected is not None and locale not in selected:
                _keep_last(done, f"localize:{locale}:{article.slug}", article.slug, locale,
                           results, inputs)
                continue
            parts = _localize_inputs(config, done, article, locale)
            inputs[(article.slug, locale)] = fingerprint(parts)  # what the page is made of
            if speech_prints[locale]:
                parts["speech"] = speech_prints[locale]
            job = Job("localize", f"{locale}:{article.slug}", parts)
            cached = done.fresh(job)
            if cached is None:
                todo.append((article, locale, job))
                continue
            page, issues = cached
            for issue in issues:
                reporter.add(issue)
            results[(article.slug, locale)] = page
            done.counters.articles_reused += 1
    catalogs = load_catalogs(config, [(a.slug, loc) for a, loc, _ in todo
                                      if loc != config.source_language], reporter)
    checkers: dict[str, tuple[Checker, SpeechChecker | None]] = {}
    for article, locale, job in todo:
        catalog = catalogs.get((article.slug, locale))
        if catalog is None and locale != config.source_language:
            # Reported by load_catalogs; the page published from the last good catalog stays.
            if _keep_last(done, job.key, article.slug, locale, results, inputs):
                kept[(article.slug, locale)] = "its catalog has an error; the last good " \
                    "page is kept"
            continue
        if locale not in checkers:
            from pipeline.checks import checker_for  # only when something is localized

            checkers[locale] = (checker_for(config, locale),
                                speech_checker_for(config, locale))
        issues: list[Issue] = []
        page = localize(article, locale, catalog, issues.append, *checkers[locale])
        for issue in issues:
            reporter.add(issue)
        done.record_job(job, (page, tuple(issues)))
        results[(article.slug, locale)] = page
        done.counters.articles_localized += 1
    ordered = [results[(a.slug, loc)] for a in articles for loc in locales
               if (a.slug, loc) in results]
    return Localized(ordered, inputs, kept)


def _speech_prints(config: Config, locales: list[str], reporter: Reporter) -> dict[str, str]:
    """Each locale's lexicon print ("" when it is not spoken): its ``[speech]`` warnings
    depend on it. The lexicon's own problems are reported here, once per build."""
    for locale in locales:
        for issue in lexicon_issues(config, locale):
            reporter.add(issue)
    return {locale: speech_print(config, locale) for locale in locales}


def _localize_inputs(config: Config, done: Incremental, article: Article, locale: str
                     ) -> dict[str, str]:
    """The prints a localized page is made of: its source, catalog and glossary, settings."""
    parts = {"source": done.file(article.path), "settings": done.settings}
    if locale != config.source_language:
        parts["catalog"] = done.file(po_path_for(config.locales_dir, locale, article.slug))
        parts["glossary"] = done.file(config.locales_dir / locale / "glossary.po")
    return parts


def _keep_last(done: Incremental, key: str, slug: str, locale: str,
               results: dict, inputs: dict) -> bool:
    """The last build's page for ``key`` as it was, if there is one (its inputs unchecked)."""
    last, value = done.state.outputs.get(key), done.state.values.get(key)
    if last is None or value is None:
        return False
    results[(slug, locale)] = value[0]
    inputs[(slug, locale)] = fingerprint(last)
    return True


def load_catalogs(config: Config, pairs: list[tuple[str, str]], reporter: Reporter
                  ) -> dict[tuple[str, str], Catalog]:
    """The PO of each (slug, locale); a missing or broken one is reported, that page skipped.

    Catalogs are read in threads (each syntax check runs GNU msgfmt) and reported in order.
    """
    wanted = [(slug, locale, po_path_for(config.locales_dir, locale, slug))
              for slug, locale in pairs]

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


def speak(pages: list[LocalizedArticle], inputs: dict[tuple[str, str], str], config: Config,
          options: BuildOptions, reporter: Reporter, done: Incremental, speaker: Any,
          writer: OutputWriter) -> Speech:
    if not config.audio_enabled:
        return None
    from pipeline.stages.speak import speak_articles

    # --no-audio speaks nothing, but pages keep the audio already made for their text: a
    # pages-only build must not take the players off a site that has them. (A site that
    # never had audio skips the audio plan: pages-only builds of a library stay fast.)
    if not options.audio and not any((config.output_dir / locale_info(code).tag / "audio")
                                     .is_dir() for code in (config.source_language, *config.locales)):
        return None

    jobs = _workers(config, options)
    try:
        result = speak_articles(pages, config, config.output_dir, jobs, reporter,
                                engine_factory=options.engine_factory, state=done,
                                # the audio cache is addressed by content: always valid
                                use_cache=not options.force or not options.audio,
                                page_inputs=inputs,
                                speaker=speaker if options.audio else None,
                                synthesize=options.audio, writer=writer)
    except ContentError as exc:  # an unknown voice in pipeline.toml: pages without audio
        reporter.add(exc.issue)
        return None
    return result


def _workers(config: Config, options: BuildOptions) -> int:
    return options.jobs or config.audio_workers or os.cpu_count() or 1


def _count_audio(final: Any, counters: Counters) -> None:
    if final is not None:
        counters.sections_synthesized, counters.sections_cached = final.synthesized, final.cached


def _summary(site: Site, counters: Counters, seconds: float, reporter: Reporter,
             made: dict[str, int]) -> str:
    for item in site.withheld:
        reporter.progress(f"not published: {item.slug} [{item.locale}]: {item.reason}")
    for (slug, locale), reason in site.kept.items():
        reporter.progress(f"stale: {slug} [{locale}]: {reason}")
    failing = sum(p.failing_segments for p in site.pages)
    parts = []
    for locale in site.locales:
        mine = [p for p in site.pages if p.locale == locale]
        words = sum(p.total_words for p in mine) or 0
        done = sum(p.translated_words for p in mine)
        share = f"{100 * done / words:.0f}%" if words else "-"
        entry = f"{locale_info(locale).tag} {share}" if mine else \
            f"{locale_info(locale).tag} withheld"
        if site.audio is not None and voice_for(locale, site.config) is None:
            entry += " (no audio: no voice for this language)"
        stale = sum(1 for _, c in site.kept if c == locale)
        if stale:
            entry += f" ({stale} stale: catalog error, last good page kept)"
        parts.append(entry)
    audio = ""
    if site.audio is not None:
        a = site.audio.result()
        speed = (f", real-time factor {a.real_time_factor:.0f}x" if a.synthesized else "") + (
            f" on {a.where}" if a.where else "")
        audio = (f", {len(a.tracks)} audio file(s) ({a.audio_seconds / 60:.1f} min; "
                 f"{a.synthesized} synthesized, {a.cached} from cache{speed})")
    pages = counters.pages_rendered + counters.pages_skipped
    unchanged = f" ({counters.pages_skipped} unchanged)" if counters.pages_skipped else ""
    held = f", {len(site.withheld)} withheld below threshold" if site.withheld else ""
    bad = f", {failing} failing segment(s) shown in the source language" if failing else ""
    return (f"build: {pages} article page(s){unchanged} in {len(site.locales)} locale(s){audio}"
            f"{describe_outreach(made)}{held}{bad} in "
            f"{seconds:.1f}s; {', '.join(parts)}; {reporter.tally()}")
