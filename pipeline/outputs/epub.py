"""EPUB 3 talking books (``output/<lang>/<slug>.epub``, with ``[outputs] epub = true``): one
per published page, its text one content document per section, and where the page has audio,
the section MP3s with media overlays that highlight each sentence as it is heard.

The documents are the page's own content: the same template logic, the same sentence spans
(``render.sentence_marks``, so an overlay's targets are the page's ids) and the same timings
(each ``AudioTrack``'s sentences). A locale without a voice, or a build without audio, gets a
text-only book. Each book is a job whose inputs are the page's content print, its tracks
(path, size, length), its images, the book templates and the settings: one changed msgstr
remakes that locale's book only. The packing (``epub_pack.pack``) is a pure function.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jinja2
from markupsafe import Markup, escape

from pipeline.inline import to_plain
from pipeline.jobs import Job
from pipeline.model import (Article, AudioTrack, LocalizedArticle, LocalizedBlock,
                            LocalizedSection, Location)
from pipeline.outputs.epub_pack import EPUB_TEMPLATES, Book, Chapter, Clip, Resource, Text, pack
from pipeline.outputs.outreach import epub_path
from pipeline.outputs.ui_text import ui_text
from pipeline.report import Reporter
from pipeline.site import Site
from pipeline.stages.render import UIText, format_review_date, make_environment, sentence_marks
from pipeline.speech_text.lexicon import lexicon_for
from pipeline.speech_text.sections import section_sentences
from pipeline.state import fingerprint, tree_fingerprint
from pipeline.ui import ui_po_path
from pipeline.writer import OutputWriter

FORMAT = "epub-v1"
NO_DATE = "2000-01-01T00:00:00Z"  # dcterms:modified of a book without a review date
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}
# The accessibility summary, in parts (gettext msgids in the interface catalog's domain:
# English, marked as such, until a locale translates them).
SUMMARY_TEXT = ("This book has the full text of the article, with a table of contents "
                "that lists its sections in reading order.")
SUMMARY_AUDIO = ("A synthetic voice reads the text aloud, and each sentence is highlighted "
                 "as it is read.")
SUMMARY_SILENT = "Sections without audio (such as reference lists) are text only."
SUMMARY_IMAGES = "Every image has a text description."


@dataclass(frozen=True)
class Picture:
    name: str  # its path inside the book: images/<n>.<ext>
    id: str  # the <img> element's id (an overlay's target while its description is read)
    source: Path  # the copy under output/media/


def write(built: Any, writer: OutputWriter, reporter: Reporter) -> int:
    """Every published page's book; the number made or kept."""
    site: Site = built.site
    if not site.config.outputs.epub:
        return 0
    tracks: dict[tuple[str, str], dict[str, AudioTrack]] = {}
    for track in getattr(built.speech, "tracks", ()) or ():
        tracks.setdefault((track.locale, track.slug), {})[track.section_id] = track
    books = _Books(site, writer)
    count = 0
    for page in site.pages:
        count += books.one(page, tracks.get((page.locale, page.slug), {}), reporter)
    return count


class _Books:
    """What every book of a build shares: templates, interface text, settings."""

    def __init__(self, site: Site, writer: OutputWriter):
        config = site.config
        self.site, self.writer, self.done = site, writer, site.done
        project = config.root / "templates"
        self.templates = fingerprint(tree_fingerprint(EPUB_TEMPLATES),
                                     tree_fingerprint(project / "epub"))
        self.env: jinja2.Environment | None = None
        self.uis: dict[str, UIText] = {}
        self.lexicons = lexicon_for(config.locales_dir)
        self.pictures: dict[str, dict[tuple[int, int], Picture]] = {}

    def one(self, page: LocalizedArticle, tracks: dict[str, AudioTrack],
            reporter: Reporter) -> int:
        config = self.site.config
        rel = epub_path(page.lang, page.slug)
        # Neither needs the page's sections, which a kept page has not unpickled (reading
        # them for every book cost a no-op rebuild more than the rest of this phase).
        ordered = sorted(tracks.values(), key=lambda t: t.section_id)
        pictures = self._pictures(page.article)
        job = Job("epub", rel, {
            "format": FORMAT, "article": self.site.inputs.get((page.slug, page.locale), ""),
            "tracks": fingerprint([(t.path, t.size, t.duration) for t in ordered]),
            "images": fingerprint(sorted((p.name, self.done.file(p.source))
                                         for p in pictures.values())),
            "templates": self.templates, "settings": self.done.settings,
            "ui": self.done.file(ui_po_path(config.locales_dir, page.locale))},
            config.output_dir / rel)
        if self.done.fresh(job) is not None:
            self.writer.keep(rel)
            return 1
        try:
            book = self.book(page, tracks, pictures)
        except (jinja2.TemplateError, OSError) as exc:
            reporter.error(Location(config.rel(config.output_dir / rel)),
                           f"the talking book was not made: {exc}", "epub-failed")
            return 0
        data = pack(book)
        self.writer.write_bytes(rel, data)
        self.done.record_job(job, len(data))
        return 1

    def _pictures(self, article: Article) -> dict[tuple[int, int], Picture]:
        """The article's images the build copied to output/media/ (copy_media checked them),
        by place (section, block: a localized article keeps its source's shape); a remote
        image or one of a type EPUB readers need not show is left out (its description
        stays, as text). The same for every locale: worked out once per article."""
        from pipeline.confine import image_path

        if article.slug in self.pictures:
            return self.pictures[article.slug]
        found: dict[tuple[int, int], Picture] = {}
        names: dict[str, str] = {}
        for number, section in enumerate(article.sections):
            for place, block in enumerate(section.blocks):
                src = block.image.src if block.image is not None else ""
                if not src or "://" in src:
                    continue
                rel = image_path(src)
                suffix = Path(rel).suffix.lower()
                if suffix not in IMAGE_TYPES or not self.writer.has(f"media/{rel}"):
                    continue
                name = names.setdefault(rel, f"images/image-{len(names) + 1}{suffix}")
                found[(number, place)] = Picture(name, f"figure-{number + 1}-{place + 1}",
                                                 self.site.config.output_dir / "media" / rel)
        self.pictures[article.slug] = found
        return found

    def book(self, page: LocalizedArticle, tracks: dict[str, AudioTrack],
             places: dict[tuple[int, int], Picture]) -> Book:
        config = self.site.config
        pictures = {id(page.sections[number].blocks[place]): picture
                    for (number, place), picture in places.items()}
        ui = self._ui(page.locale)
        seg = sentence_marks(page, tracks, config.locales_dir, config.skip_sections)
        base = config.base_url + f"{page.lang}/" if config.base_url else ""
        render = self._environment().get_template("epub/section.xhtml").render
        common = dict(tag=page.lang, dir=page.dir, article=page, _=ui.content, _a=ui.attr,
                      seg=lambda segment: xhtml(seg(segment), base),
                      figure=lambda block: pictures.get(id(block)),
                      voiced=bool(tracks),
                      reviewed=format_review_date(page.article.reviewed, page.locale),
                      reads_references="references" not in config.skip_sections)
        chapters = []
        for number, section in enumerate(page.sections):
            track = tracks.get(section.id)
            heading = section.heading if section.heading else page.title
            document = render(common, section=section, intro=number == 0,
                              title_segment=heading)
            clips = self._clips(section, track, pictures, document) if track else ()
            audio = (config.output_dir / track.path).read_bytes() if clips else b""
            chapters.append(Chapter(f"section-{number + 1}", _text(heading, page.lang),
                                    document, audio, clips))
        return self._book(page, ui, tuple(chapters), pictures)

    def _clips(self, section: LocalizedSection, track: AudioTrack,
               pictures: dict[int, Picture], document: str) -> tuple[Clip, ...]:
        """One clip per sentence whose element is in the document, in reading order; an
        image's description is heard while its <img> is highlighted (one clip for all its
        sentences: the description is an attribute, with no element per sentence)."""
        targets = {}
        for item in section_sentences(section, self.lexicons, self.site.config.skip_sections):
            block = _block_of_image(section, item.segment)
            if block is not None and id(block) in pictures:
                targets.update((ident, pictures[id(block)].id) for ident in item.ids)
        clips: list[Clip] = []
        for sentence in track.sentences:
            target = targets.get(sentence.id) or (
                sentence.id if f' id="{sentence.id}"' in document else None)
            if target is None:
                continue
            start, end = round(sentence.start * 1000), round(sentence.end * 1000)
            if clips and clips[-1].target == target:
                clips[-1] = Clip(target, clips[-1].start_ms, max(end, clips[-1].end_ms))
            else:
                clips.append(Clip(target, start, max(end, start)))
        return tuple(clips)

    def _book(self, page: LocalizedArticle, ui: UIText, chapters: tuple[Chapter, ...],
              pictures: dict[int, Picture]) -> Book:
        config = self.site.config
        images = {p.name: p for p in pictures.values()}
        voiced = any(chapter.clips for chapter in chapters)
        summary = _summary(ui, voiced, voiced and not all(c.clips for c in chapters),
                           bool(images), page.lang)
        languages = sorted(({s.lang for s in page.segments if to_plain(s.text)} |
                            {summary.lang}) - {page.lang, ""})
        reviewed = _iso_date(page.article.reviewed)
        page_url = config.base_url + f"{page.lang}/{page.slug}.html" if config.base_url else ""
        return Book(
            identifier=book_identifier(config.base_url, page.lang, page.slug),
            title=_text(page.title, page.lang), lang=page.lang, dir=page.dir,
            languages=(page.lang, *languages),
            modified=f"{reviewed}T00:00:00Z" if reviewed else NO_DATE,
            publisher=config.organisation or config.name, summary=summary,
            chapters=chapters, css=self._css(), creator=page.article.author,
            images=tuple(Resource(name, IMAGE_TYPES[Path(name).suffix],
                                  picture.source.read_bytes())
                         for name, picture in sorted(images.items())),
            date=reviewed, source=page_url)

    def _css(self) -> bytes:
        project = self.site.config.root / "templates" / "epub" / "style.css"
        return (project if project.is_file() else EPUB_TEMPLATES / "style.css").read_bytes()

    def _ui(self, locale: str) -> UIText:
        if locale not in self.uis:
            # the pages reported the interface catalog's problems already
            quiet = Reporter(quiet=True)
            self.uis[locale] = ui_text(self.site.config, locale, quiet, self.done)
        return self.uis[locale]

    def _environment(self) -> jinja2.Environment:
        if self.env is None:
            root = self.site.config.root
            self.env = make_environment(root / "templates", root / ".pipeline-cache" / "templates")
        return self.env


def book_identifier(base_url: str, lang: str, slug: str) -> str:
    """A stable urn:uuid: from the book's address when the site has one, else from its
    language and slug (the same book keeps its identifier from build to build)."""
    name = f"{base_url}{epub_path(lang, slug)}" if base_url else \
        f"urn:health-pipeline:epub:{lang}/{slug}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


_ANCHOR = re.compile(r'<a href="([^"]*)"((?: title="[^"]*")?)>(.*?)</a>', re.S)
_KEPT_SCHEMES = ("http", "https", "mailto", "tel")


def xhtml(html: Markup, base: str) -> Markup:
    """``inline.to_html``'s output as XHTML: ``<br/>``, and a link that is not absolute
    (to another page of the site) made absolute from the site's address, or left as its text
    when the site has none (the book holds one page). Text is escaped by to_html, so the only
    ``<br>`` and ``<a href=`` here are its own."""
    def link(match: re.Match) -> str:
        url = unescape(match.group(1))
        if urlsplit(url).scheme in _KEPT_SCHEMES:
            return match.group(0)
        if not base:
            return match.group(3)
        return f'<a href="{escape(urljoin(base, url))}"{match.group(2)}>{match.group(3)}</a>'

    return Markup(_ANCHOR.sub(link, str(html).replace("<br>", "<br/>")))


def _block_of_image(section: LocalizedSection, segment: Any) -> LocalizedBlock | None:
    for block in section.blocks:
        if block.image_alt is segment:
            return block
    return None


def _text(segment: Any, book_lang: str) -> Text:
    plain = to_plain(segment.text)
    return Text(plain) if segment.lang == book_lang else Text(plain, segment.lang, segment.dir)


def _summary(ui: UIText, voiced: bool, partly: bool, images: bool, book_lang: str) -> Text:
    """The accessibility summary in the book's language where its interface catalog has
    every part, else in English (the language the parts are written in), marked as such."""
    parts = [SUMMARY_TEXT] + ([SUMMARY_AUDIO] if voiced else []) + (
        [SUMMARY_SILENT] if partly else []) + ([SUMMARY_IMAGES] if images else [])
    translated = [ui.attr(part) for part in parts]
    if book_lang.split("-")[0] == "en" or all(t != p for t, p in zip(translated, parts)):
        return Text(" ".join(translated))
    return Text(" ".join(parts), "en", "ltr")


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat() if text else ""
    except ValueError:
        return ""

