"""What the PDF handouts share: the print templates, the page's masthead (title, language,
review date, address, QR codes, how to listen, organisation), the job's inputs, and the one
pure render function (``render_pdf``: a frozen ``PrintDoc`` in, PDF bytes out) that a later
change can hand to a process pool as it is.

The document is rendered offline: WeasyPrint's fetcher is replaced by one that reads only
``data:`` URLs and files inside the project (the logo, the article's images) and refuses
everything else, http(s) included. Same inputs give the same bytes: no creation date, and the
file identifier WeasyPrint computes is a hash of the content.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.inline import to_plain
from pipeline.jobs import Job
from pipeline.locales import locale_info
from pipeline.model import LocalizedArticle, LocalizedSegment
from pipeline.outputs.ui_text import ui_text
from pipeline.report import Reporter
from pipeline.resources import PACKAGE_TEMPLATES
from pipeline.site import Site
from pipeline.stages.render import (UIText, format_review_date, lang_attrs, make_environment,
                                    segment_html)
from pipeline.state import fingerprint
from pipeline.ui import ui_po_path

FORMAT = "handout-v1"
TEMPLATES = ("handout.html", "handout_bilingual.html", "handout_parts.html", "handout.css")


@dataclass(frozen=True)
class PrintDoc:
    """Everything one PDF is made from: picklable, so a worker process can render it."""

    html: str
    base_url: str  # what relative links resolve against: the page's address, or ""
    roots: tuple[str, ...]  # the folders the document may read files from
    title: str  # for messages


def render_pdf(doc: PrintDoc) -> bytes:
    """The tagged PDF of ``doc`` (pure: the same ``doc`` gives the same bytes)."""
    from weasyprint import HTML

    html = HTML(string=doc.html, base_url=doc.base_url or None,
                url_fetcher=_local_fetcher(doc.roots))
    # pdf_tags: a structure tree (headings, paragraphs, lists, tables, figures with their
    # alternative text), /Lang and DisplayDocTitle. The pdf/ua-1 variant adds only the XMP
    # "pdfuaid:part" claim; WeasyPrint calls it experimental and cannot tag per-element
    # languages or mark page numbers as artifacts, so the claim is not made.
    return html.write_pdf(pdf_tags=True, pdf_identifier=True, pdf_version="1.7")


def _local_fetcher(roots: tuple[str, ...]) -> Any:
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        """``data:`` and files inside ``roots``; never the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0][len("file:"):])).resolve()
                if any(path.is_relative_to(root) for root in roots) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"not fetched (handouts are made offline): {url[:80]}")

    return LocalFetcher(allowed_protocols=("data", "file"))


def qr_svg(url: str, label: str) -> Markup:
    """A vector QR code for ``url``; ``label`` is its SVG title (the figure's alternative
    text in the tagged PDF). Error correction M (15%): a folded or smudged handout scans."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=4, title=label, omitsize=True,
                                  svgclass="qr-code", lineclass=None))


@dataclass(frozen=True)
class Masthead:
    """The first lines of a handout (in the page's language)."""

    title: LocalizedSegment
    subtitle: LocalizedSegment | None
    language: str  # the language's own name
    reviewed: str  # formatted in the page's language, "" when unknown
    address: str  # the page's address, "" without [site] base_url
    page_qr: Markup
    audio_qr: Markup


class PrintKit:
    """The print templates and interface texts of one build, shared by both PDF writers."""

    def __init__(self, site: Site, reporter: Reporter):
        self.site, self.reporter = site, reporter
        config = site.config
        self.env = make_environment(config.root / "templates",
                                    config.root / ".pipeline-cache" / "templates")
        self.uis: dict[str, UIText] = {}
        # The templates (the project's own, where it overrides one), the renderer's version
        # and the settings printed on every handout.
        # (the versions from the installed metadata: importing WeasyPrint cost a no-op
        # build 0.77 s, for handouts it then did not render)
        from importlib.metadata import version

        self.template_print = fingerprint(FORMAT, version("weasyprint"), version("segno"), [
            site.done.file(folder / name) for name in TEMPLATES
            for folder in (config.root / "templates", PACKAGE_TEMPLATES)])
        logo = site.done.file(config.root / config.logo) if config.logo else ""
        self.settings_print = fingerprint(config.base_url, config.organisation or config.name,
                                          config.logo, logo)
        self.roots = tuple(str(p.resolve()) for p in (config.root,))

    def ui(self, locale: str) -> UIText:
        if locale not in self.uis:
            self.uis[locale] = ui_text(self.site.config, locale, self.reporter, self.site.done)
        return self.uis[locale]

    def job(self, kind: str, rel: str, pages: tuple[LocalizedArticle, ...],
            audio: Any) -> Job:
        """A handout's job: its pages' content, the templates, the interface text of each
        page's language, the settings it prints, and whether its audio QR code is printed."""
        site, config = self.site, self.site.config
        return Job(kind, rel, {
            "article": fingerprint([site.inputs.get((p.slug, p.locale), "") for p in pages]),
            "template": self.template_print, "settings": self.settings_print,
            "ui": fingerprint([site.done.file(ui_po_path(config.locales_dir, p.locale))
                               for p in pages]),
            "audio": audio.path if audio is not None and config.base_url else ""},
            config.output_dir / rel)

    def masthead(self, page: LocalizedArticle, audio: Any) -> Masthead:
        config, ui = self.site.config, self.ui(page.locale)
        info = locale_info(page.locale)
        address = f"{config.base_url}{info.tag}/{page.slug}.html" if config.base_url else ""
        page_qr = qr_svg(address, ui.attr("Scan to open this page")) if address else Markup()
        audio_qr = Markup()
        if address and audio is not None:
            audio_qr = qr_svg(config.base_url + audio.path, ui.attr("Scan to listen"))
        return Masthead(page.title, page.subtitle, info.native_name,
                        format_review_date(page.article.reviewed, page.locale), address,
                        page_qr, audio_qr)

    def context(self, page: LocalizedArticle) -> dict[str, object]:
        """What every print template gets: the page's language, its interface text, the
        organisation and logo, and the segment renderers."""
        config, ui = self.site.config, self.ui(page.locale)
        logo = (config.root / config.logo).resolve().as_uri() if config.logo else ""
        return dict(page=locale_info(page.locale), _=ui.content, _a=ui.attr,
                    organisation=config.organisation or config.name, logo=logo,
                    seg=segment_html, attrs=lang_attrs,
                    media=(config.output_dir / "media").resolve().as_uri() + "/")

    def render(self, name: str, **context: object) -> str | None:
        """The template's HTML, or None after a warning (a broken project template)."""
        try:
            return self.env.get_template(name).render(**context)
        except (jinja2.TemplateError, OSError, TypeError, ValueError) as exc:
            self.reporter.warn(_template_place(name, self.site), f"the handout was not made: "
                               f"{exc}", "template")
            return None

    def doc(self, html: str, page: LocalizedArticle) -> PrintDoc:
        config = self.site.config
        base = f"{config.base_url}{page.lang}/{page.slug}.html" if config.base_url else ""
        return PrintDoc(html, base, self.roots, to_plain(page.title.text))


def _template_place(name: str, site: Site) -> Any:
    from pipeline.model import Location

    project = site.config.root / "templates" / name
    return Location(site.config.rel(project) if project.exists()
                    else f"pipeline/templates/{name}")


# Fewer PDFs than this render in the build's process: a spawned worker's start (Python and
# WeasyPrint's import, ~1 s) costs more than two or three handouts (0.2-0.6 s each).
POOL_FROM = 6


def render_all(built: Any, pending: list[tuple[Any, str, PrintDoc]], writer: Any,
               reporter: Any) -> int:
    """Render ``pending`` ((job, path under output/, doc)) through the build's executor
    (worker processes, or the Dask cluster when the build has one) and write each PDF
    through the writer as it arrives; the number written. A PDF that fails is reported
    with its path; the others are written."""
    from pipeline.model import Location
    from pipeline.progress import progress_bar
    from pipeline.stages.executor import LocalExecutor, executor_for

    site = built.site
    docs = [doc for _, _, doc in pending]
    executor = executor_for(site.config.scheduler, built.workers) \
        if len(docs) >= POOL_FROM or site.config.scheduler else LocalExecutor(1)
    written = 0
    for done in progress_bar(executor.map(render_pdf, docs), "handouts", reporter,
                             total=len(docs)):
        job, rel, doc = pending[done.index]
        if done.error:
            reporter.warn(Location(f"output/{rel}"), f"the PDF was not made: {done.error}",
                          "pdf-failed")
            continue
        writer.write_bytes(rel, done.value)
        site.done.record_job(job, len(done.value))
        written += 1
    return written
