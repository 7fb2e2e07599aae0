"""Writes the static site: pages per locale, language indexes, the chooser, assets, manifest.

Every file goes through an atomic write that skips unchanged content; files from earlier
builds that this build no longer produces (an article withdrawn or below threshold) are removed
so the site never links to or serves stale pages.
"""
from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pipeline.catalogs import Catalog, read_checked_catalog
from pipeline.config import Config
from pipeline.fsutil import write_bytes_atomic, write_text_atomic
from pipeline.incremental import Incremental
from pipeline.progress import progress_bar
from pipeline.state import fingerprint
from pipeline.locales import locale_info
from pipeline.manifest import draft_manifest
from pipeline.model import AudioTrack, LocalizedArticle, Location, Status
from pipeline.report import ContentError, Reporter
from pipeline.stages.render import ASSETS, PageLink, Renderer, UIText
from pipeline.ui import CatalogTranslations, ui_po_path, ui_verdict
from pipeline.checks import Checker, checker_for


@dataclass(frozen=True)
class Site:
    config: Config
    locales: tuple[str, ...]
    pages: tuple[LocalizedArticle, ...]
    withheld: tuple[Any, ...]
    audio: Any  # SpeakResult or None when audio is off
    inputs: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (slug, locale) ->
    done: Any = None  # Incremental: skips pages whose inputs did not change
    # (slug, locale) -> why the last good page was kept (a broken catalog): shown as stale
    kept: Mapping[tuple[str, str], str] = field(default_factory=dict)


def render_site(site: Site, reporter: Reporter) -> int:
    config = site.config
    done = site.done or Incremental(config, reporter, force=True)
    out = config.output_dir
    renderer = Renderer(config.root, config.name, config.source_language)
    produced: set[Path] = set()

    def emit(path: Path, text: str) -> None:
        write_text_atomic(path, text)
        produced.add(path)

    reported: set = set()

    def failed(exc: ContentError) -> None:
        # A broken template fails every page that uses it: say so once, not once per page.
        if exc.issue not in reported:
            reported.add(exc.issue)
            reporter.add(exc.issue)

    for asset in sorted(ASSETS.iterdir()):
        target = out / "assets" / asset.name
        write_bytes_atomic(target, asset.read_bytes())
        produced.add(target)
    # Pages whose audio the warm speaker is still making render last, after the wait; the
    # audio of all others is final (speak.SpeechInProgress).
    speech = site.audio
    waiting = speech.waiting if speech is not None else frozenset()
    known = speech.ready if speech is not None else None
    audio = _PageAudio(known)
    count = 0
    live_locales: list[tuple[Any, int]] = []
    by_slug: dict[str, list[LocalizedArticle]] = {}
    for p in site.pages:
        by_slug.setdefault(p.slug, []).append(p)
    # The language links of an article, the same for each of its pages: hashed once.
    versions_print = {slug: fingerprint(repr([f"../{p.lang}/{p.slug}.html" for p in pages]))
                      for slug, pages in by_slug.items()}

    def page_job(page: LocalizedArticle, ui: UIText, ui_print: str, audio: _PageAudio
                 ) -> tuple[Path, str, dict, tuple] | None:
        """What rendering ``page`` takes, or None when the last build's page stands."""
        locale = page.locale
        note = ""
        if audio.silent(locale):
            note = ui.attr("Audio is not available in this language yet.")
        elif audio.failed(page):
            note = ui.attr("Some audio could not be made for this page.")
        page_tracks = audio.tracks(page)
        tag = locale_info(locale).tag
        target = out / tag / f"{page.slug}.html"
        parts = {"article": site.inputs.get((page.slug, locale), ""), "site": done.site,
                 "ui": ui_print, "note": note,
                 # repr: one string to hash instead of a nested walk, for every page
                 "versions": versions_print[page.slug],
                 "audio": fingerprint(repr(sorted((t.section_id, t.path, t.size, t.duration)
                                                  for t in page_tracks.values())))}
        key = f"page:{tag}/{page.slug}.html"
        if done.reuse(key, parts, target):
            produced.add(target)
            done.counters.pages_skipped += 1
            return None
        versions = [PageLink(locale_info(p.locale), f"../{p.lang}/{p.slug}.html",
                             p.locale == locale)
                    for p in by_slug[page.slug]]
        return target, key, parts, (page, versions, page_tracks, note)

    def render(todo: list[tuple[Path, str, dict, tuple]]) -> None:
        results = _render_articles([job[3] for job in todo], config, renderer, reporter, done)
        for (target, key, parts, _), (html, issue) in zip(todo, results):
            if issue is not None:
                failed(ContentError(issue.location, issue.message, issue.code))
                continue
            emit(target, html)
            done.record(key, parts, True)
            done.counters.pages_rendered += 1

    todo: list[tuple[Path, str, dict, tuple]] = []
    later: list[tuple[LocalizedArticle, UIText, str]] = []
    for locale in site.locales:
        info = locale_info(locale)
        ui = _ui_text(config, locale, reporter, done)
        ui_print = done.file(ui_po_path(config.locales_dir, locale))
        pages = [p for p in site.pages if p.locale == locale]
        if not pages:
            continue
        live_locales.append((info, len(pages)))
        for page in pages:
            count += 1
            if (locale, page.slug) in waiting:
                later.append((page, ui, ui_print))
            elif job := page_job(page, ui, ui_print, audio):
                todo.append(job)
        index_versions = [PageLink(locale_info(c), f"../{locale_info(c).tag}/index.html",
                                   c == locale)
                          for c in site.locales if any(p.locale == c for p in site.pages)]
        index = out / info.tag / "index.html"
        count += 1
        index_parts = {"pages": fingerprint(repr(sorted((p.slug, site.inputs.get((p.slug, locale)))
                                                         for p in pages))),
                       "site": done.site, "ui": ui_print,
                       "versions": fingerprint(repr([(v.href, v.current)
                                                     for v in index_versions]))}
        if done.reuse(f"index:{info.tag}", index_parts, index):
            produced.add(index)
            continue
        try:
            emit(index, renderer.locale_index(
                info, sorted(pages, key=lambda p: p.title.text.casefold()), index_versions, ui))
            done.record(f"index:{info.tag}", index_parts, True)
        except ContentError as exc:
            failed(exc)
    render(todo)
    source = locale_info(config.source_language)
    try:
        emit(out / "index.html", renderer.chooser(
            source, live_locales, _ui_text(config, config.source_language, reporter, done)))
        count += 1
    except ContentError as exc:
        failed(exc)
    count += _copy_media(site, out, produced, reporter)
    manifest = draft_manifest(site, known)
    # As strings, like os.walk's: a library has 13,000 audio files.
    wanted = {str(p) for p in produced}
    under = os.path.join(out, "")  # + a track's relative path: os.path.join, 13,000 times
    wanted.update(under + t.path for t in getattr(audio, "all_tracks", ()))
    final = speech.result() if speech is not None else None
    if later:
        audio = _PageAudio(final, only=waiting)
        render([job for page, ui, ui_print in later
                if (job := page_job(page, ui, ui_print, audio))])
        wanted.update(under + t.path for t in audio.all_tracks)
    emit(out / "manifest.json", manifest.finish(final))
    wanted.update(str(p) for p in produced)
    # What an earlier build made and this one did not is deleted; when the set of outputs
    # is the last build's, that was done then, and the walk over the tree is skipped.
    outputs = {"outputs": fingerprint(repr(sorted(wanted))), "audio": str(final is None)}
    if not done.reuse("stale-removal", outputs, out, explain=False):
        for folder in [out / "assets", out / "media", *(out / locale_info(c).tag
                                                         for c in site.locales)]:
            _remove_stale(folder, wanted, keep_audio=final is None)
        done.record("stale-removal", outputs, True)
    return count


class _PageAudio:
    """Pages' audio tracks and notes, from a SpeakResult (None: audio is off); ``only``
    those of these pages ((locale, slug)) when given."""

    def __init__(self, speech: Any, only: frozenset[tuple[str, str]] | None = None):
        self._tracks: dict[tuple[str, str], dict[str, AudioTrack]] = {}
        self.all_tracks: list[AudioTrack] = []
        for track in getattr(speech, "tracks", ()) or ():
            if only is None or (track.locale, track.slug) in only:
                self._tracks.setdefault((track.locale, track.slug), {})[track.section_id] = track
                self.all_tracks.append(track)
        self._silent = set(speech.silent_locales) if speech is not None else set()
        self._failed = {(f.slug, f.locale) for f in getattr(speech, "failures", ()) or ()
                        if hasattr(f, "slug")}

    def tracks(self, page: LocalizedArticle) -> dict[str, AudioTrack]:
        return self._tracks.get((page.locale, page.slug), {})

    def silent(self, locale: str) -> bool:
        return locale in self._silent

    def failed(self, page: LocalizedArticle) -> bool:
        return (page.slug, page.locale) in self._failed


def _render_articles(payloads: list[tuple], config: Config, renderer: Renderer,
                     reporter: Reporter, done: Incremental | None = None
                     ) -> list[tuple[str, Any]]:
    """(html, None) or ("", Issue) per page. Serial on purpose: measured on 1,800 pages,
    worker processes cost more in pickling and start-up than the 3 ms a page takes."""
    uis: dict[str, UIText] = {}
    quiet = Reporter(io.StringIO(), quiet=True)  # the UI catalogs were reported already
    results = []
    for page, versions, page_tracks, note in progress_bar(payloads, "pages", reporter):
        if page.locale not in uis:
            uis[page.locale] = _ui_text(config, page.locale, quiet, done)
        try:
            results.append((renderer.article_page(page, versions, uis[page.locale],
                                                  page_tracks, note), None))
        except ContentError as exc:
            results.append(("", exc.issue))
    return results


def _ui_text(config: Config, locale: str, reporter: Reporter,
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
    key, parts = f"ui:{rel}", ({"catalog": done.file(path), "settings": done.settings,
                                "glossary": done.file(glossary)} if done else {})
    kept = done.reuse(key, parts, explain=False) if done else None
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
            done.record(key, parts, kept)
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


def _copy_media(site: Site, out: Path, produced: set[Path], reporter: Reporter) -> int:
    """Copy the images the pages show into ``output/media/``. Only a file inside ``source/``
    whose links stay inside the project is copied (read.py refuses others, but a parse
    reused from the last build may predate a new link); pages link it as ``media/<src>``."""
    from pipeline.confine import image_path, image_problem, inside

    config, copied = site.config, 0
    for page in site.pages:
        if page.locale != config.source_language:
            continue
        folder = page.article.path.parent
        depth = len(folder.relative_to(config.source_dir).parts) \
            if folder.is_relative_to(config.source_dir) else 0
        for block in (b for s in page.article.sections for b in s.blocks):
            if block.image is None or "://" in block.image.src:
                continue
            src, where = block.image.src, block.image.alt.location
            if problem := image_problem(src, depth):
                reporter.error(where, f"image '{src}' {problem}", "path")
                continue
            rel = image_path(src)
            target = out / "media" / rel
            if not (folder / rel).is_file():
                reporter.error(where, f"image '{src}' not found", "missing-image")
                continue
            if not inside(folder / rel, config.root):
                reporter.error(where, f"image '{src}' is a symbolic link to a file outside "
                               "the project", "path")
                continue
            try:
                data = (folder / rel).read_bytes()
            except OSError as exc:
                reporter.error(where, f"image '{src}' cannot be read: {exc.strerror}",
                               "unreadable")
                continue
            write_bytes_atomic(target, data)  # fsutil.WriteError stops the build, as a page's
            produced.add(target)
            copied += 1
    return copied


def _remove_stale(folder: Path, wanted: set[str], keep_audio: bool) -> None:
    """Delete what this build did not produce (``wanted``: pages of removed articles...).
    os.walk, not Path.rglob: a library's output holds tens of thousands of audio files."""
    if not folder.is_dir():
        return
    for top, dirs, files in os.walk(folder, topdown=False):
        if top == str(folder / "_review") or top.startswith(str(folder / "_review") + os.sep):
            continue
        for name in files:
            path = os.path.join(top, name)
            if path in wanted:
                continue
            suffix = os.path.splitext(name)[1]
            if suffix == ".mp3" and keep_audio:
                continue  # --no-audio keeps the audio of earlier builds
            if suffix in (".html", ".mp3", ".json", ".css") or \
                    f"{os.sep}media{os.sep}" in path[len(str(folder)):] + os.sep:
                os.unlink(path)
        if top != str(folder) and not os.listdir(top):
            shutil.rmtree(top, ignore_errors=True)


def render_review(site: Site, localized: list[LocalizedArticle], reporter: Reporter) -> int:
    from pipeline import review

    renderer = Renderer(site.config.root, site.config.name, site.config.source_language)
    published = {(p.slug, p.locale) for p in site.pages}
    try:
        return review.render_review(site.config, localized, published, renderer, site.done,
                                    site.inputs, site.kept)
    except ContentError as exc:
        reporter.add(exc.issue)
        return 0
