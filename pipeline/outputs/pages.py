"""Article pages, language indexes and the language chooser (``output/<lang>/...``,
``output/index.html``).

Each page is a job (jobs.py) whose inputs are the localized article, the site (templates,
settings), the interface text, the language links and the page's audio; a page whose inputs
are unchanged is kept as the last build wrote it. Pages whose audio the warm speaker is still
making are written by ``write_waiting`` once ``build()`` has waited for it.
"""
from __future__ import annotations

import io
from typing import Any

from pipeline.jobs import Job
from pipeline.locales import LocaleInfo, locale_info
from pipeline.model import AudioTrack, LocalizedArticle
from pipeline.outputs.outreach import takeaways
from pipeline.outputs.podcast import FEED_NAME, has_feed
from pipeline.outputs.ui_text import ui_text
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter
from pipeline.site import Site
from pipeline.stages.render import PageLink, Renderer, UIText
from pipeline.state import fingerprint
from pipeline.ui import ui_po_path
from pipeline.writer import OutputWriter


class PageAudio:
    """Pages' audio tracks and notes, from a SpeakResult (None: audio is off); ``only``
    those of these pages ((locale, slug)) when given."""

    def __init__(self, speech: Any, only: frozenset[tuple[str, str]] | None = None):
        self._tracks: dict[tuple[str, str], dict[str, AudioTrack]] = {}
        for track in getattr(speech, "tracks", ()) or ():
            if only is None or (track.locale, track.slug) in only:
                self._tracks.setdefault((track.locale, track.slug), {})[track.section_id] = track
        self._silent = set(speech.silent_locales) if speech is not None else set()
        self._failed = {(f.slug, f.locale) for f in getattr(speech, "failures", ()) or ()}

    def tracks(self, page: LocalizedArticle) -> dict[str, AudioTrack]:
        return self._tracks.get((page.locale, page.slug), {})

    def note(self, page: LocalizedArticle, ui: UIText) -> str:
        if page.locale in self._silent:
            return ui.attr("Audio is not available in this language yet.")
        if (page.slug, page.locale) in self._failed:
            return ui.attr("Some audio could not be made for this page.")
        return ""


class PageWriter:
    def __init__(self, site: Site, writer: OutputWriter, reporter: Reporter,
                 ui_reporter: Reporter | None = None):
        self.site, self.writer, self.reporter = site, writer, reporter
        # where the interface catalogs' warnings go: a second PageWriter (the bundles')
        # passes a quiet one, the build's reported them already
        self.ui_reporter = ui_reporter or reporter
        self.done = site.done
        config = site.config
        self.renderer = Renderer(config.root, config.name, config.source_language,
                                 config.skip_sections)
        self.by_slug: dict[str, list[LocalizedArticle]] = {}
        for p in site.pages:
            self.by_slug.setdefault(p.slug, []).append(p)
        # The language links of an article, the same for each of its pages: hashed once.
        self.versions_print = {
            slug: fingerprint(repr([f"../{p.lang}/{p.slug}.html" for p in pages]))
            for slug, pages in self.by_slug.items()}
        self.uis: dict[str, tuple[UIText, str]] = {}
        self.waiting: list[LocalizedArticle] = []
        self._reported: set = set()

    def _ui(self, locale: str, reporter: Reporter | None = None) -> tuple[UIText, str]:
        if locale not in self.uis:
            config = self.site.config
            self.uis[locale] = (ui_text(config, locale, reporter or self.ui_reporter,
                                        self.done),
                                self.done.file(ui_po_path(config.locales_dir, locale)))
        return self.uis[locale]

    def _failed(self, exc: ContentError) -> None:
        # A broken template fails every page that uses it: say so once, not once per page.
        if exc.issue not in self._reported:
            self._reported.add(exc.issue)
            self.reporter.add(exc.issue)

    def write_ready(self, ready: Any, waiting: frozenset[tuple[str, str]]) -> int:
        """Every page whose audio is final (``ready``), each language's index and the chooser;
        pages in ``waiting`` ((locale, slug)) are left for ``write_waiting``."""
        audio, todo, live, count = PageAudio(ready), [], [], 0
        for locale in self.site.locales:
            pages = [p for p in self.site.pages if p.locale == locale]
            ui, _ = self._ui(locale)
            if not pages:
                continue
            live.append((locale_info(locale), len(pages)))
            for page in pages:
                if (locale, page.slug) in waiting:
                    self.waiting.append(page)
                elif job := self._page_job(page, audio):
                    todo.append(job)
            # With bundles the index shows its bundle's size, known once the bundle is
            # packed after the audio and handouts: outputs/bundle.py writes it then.
            count += len(pages) + (0 if self.site.config.outputs.bundles
                                   else self.write_index(locale, pages))
        self._render(todo)
        return count + self._write_chooser(live)

    def write_waiting(self, final: Any) -> int:
        """The pages whose sections the warm speaker was speaking, now with their tracks."""
        audio = PageAudio(final, only=frozenset((p.locale, p.slug) for p in self.waiting))
        self._render([job for page in self.waiting if (job := self._page_job(page, audio))])
        return len(self.waiting)

    def _page_job(self, page: LocalizedArticle, audio: PageAudio) -> tuple[Job, tuple] | None:
        """The job rendering ``page`` is, or None when the last build's page stands."""
        ui, ui_print = self._ui(page.locale)
        note, page_tracks = audio.note(page, ui), audio.tracks(page)
        tag = locale_info(page.locale).tag
        job = Job("page", f"{tag}/{page.slug}.html", {
            "article": self.site.inputs.get((page.slug, page.locale), ""),
            "site": self.done.site, "ui": ui_print, "note": note,
            # repr: one string to hash instead of a nested walk, for every page
            "versions": self.versions_print[page.slug],
            "audio": fingerprint(repr(sorted((t.section_id, t.path, t.size, t.duration)
                                             for t in page_tracks.values())))},
            self.site.config.output_dir / tag / f"{page.slug}.html")
        if self.done.fresh(job):
            self.writer.keep(job.target)
            self.done.counters.pages_skipped += 1
            return None
        versions = [PageLink(locale_info(p.locale), f"../{p.lang}/{p.slug}.html",
                             p.locale == page.locale) for p in self.by_slug[page.slug]]
        return job, (page, versions, page_tracks, note)

    def _render(self, todo: list[tuple[Job, tuple]]) -> None:
        """Serial on purpose: measured on 1,800 pages, worker processes cost more in
        pickling and start-up than the 3 ms a page takes."""
        quiet = Reporter(io.StringIO(), quiet=True)  # the UI catalogs were reported already
        for job, (page, versions, tracks, note) in progress_bar(todo, "pages", self.reporter):
            try:
                html = self.renderer.article_page(
                    page, versions, self._ui(page.locale, quiet)[0], tracks, note,
                    takeaways(self.site, page, bool(tracks)))
            except ContentError as exc:
                self._failed(exc)
                continue
            self.writer.write_text(job.target, html)
            self.done.record_job(job, True)
            self.done.counters.pages_rendered += 1

    def index_job(self, locale: str, pages: list[LocalizedArticle],
                  bundle: tuple[str, int] | None = None) -> Job:
        """The index page's job; ``bundle``: the offline bundle's href and size in bytes."""
        info, site = locale_info(locale), self.site
        _, ui_print = self._ui(locale)
        parts = {
            "pages": fingerprint(repr(sorted((p.slug, site.inputs.get((p.slug, locale)))
                                             for p in pages))),
            "site": self.done.site, "ui": ui_print,
            "versions": fingerprint(repr([(v.href, v.current)
                                          for v in self._index_versions(locale)])),
            "feed": str(has_feed(site, locale))}
        if bundle is not None:
            parts["bundle"] = f"{bundle[0]} {bundle[1]}"
        return Job("index", info.tag, parts, site.config.output_dir / info.tag / "index.html")

    def _index_versions(self, locale: str) -> list[PageLink]:
        site = self.site
        return [PageLink(locale_info(c), f"../{locale_info(c).tag}/index.html", c == locale)
                for c in site.locales if any(p.locale == c for p in site.pages)]

    def index_html(self, locale: str, pages: list[LocalizedArticle],
                   bundle: tuple[str, int] | None = None) -> str:
        """The index page (raises ContentError for a broken template)."""
        return self.renderer.locale_index(
            locale_info(locale), sorted(pages, key=lambda p: p.title.text.casefold()),
            self._index_versions(locale), self._ui(locale)[0],
            FEED_NAME if has_feed(self.site, locale) else "", bundle)

    def write_index(self, locale: str, pages: list[LocalizedArticle],
                    bundle: tuple[str, int] | None = None) -> int:
        job = self.index_job(locale, pages, bundle)
        if self.done.fresh(job):
            self.writer.keep(job.target)
            return 1
        try:
            self.writer.write_text(job.target, self.index_html(locale, pages, bundle))
            self.done.record_job(job, True)
        except ContentError as exc:
            self._failed(exc)
        return 1

    def _write_chooser(self, live: list[tuple[LocaleInfo, int]]) -> int:
        config = self.site.config
        try:
            self.writer.write_text("index.html", self.renderer.chooser(
                locale_info(config.source_language), live, self._ui(config.source_language)[0]))
        except ContentError as exc:
            self._failed(exc)
            return 0
        return 1
