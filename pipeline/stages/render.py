"""Render stage: ``LocalizedArticle`` -> HTML pages with Jinja2 (autoescape on).

Templates live in the package and can be overridden by ``templates/`` in the content project.
Translated text reaches the page only through ``inline.to_html`` (escaped text, fixed tags, link
targets from the source), never as a template or raw HTML.
"""
from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from pipeline.config import DEFAULT_SKIP_SECTIONS
from pipeline.inline import to_html, to_plain
from pipeline.locales import LocaleInfo, locale_info
from pipeline.model import (AudioTrack, LocalizedArticle, LocalizedSection, LocalizedSegment,
                            Location, Status)
from pipeline.report import ContentError
from pipeline.resources import PACKAGE_TEMPLATES
from pipeline.speech_text.lexicon import lexicon_for
from pipeline.speech_text.sections import section_sentences, spoken_segments
from pipeline.verdict import PLACEHOLDER



@dataclass(frozen=True)
class PageLink:
    """A language version of a page, for the switcher and ``<link rel=alternate>``."""

    info: LocaleInfo
    href: str
    current: bool


@dataclass(frozen=True)
class UIText:
    """Site chrome (skip link, labels) in one locale, with the source as fallback.

    ``_`` is for element content: untranslated chrome is wrapped in a ``lang`` span so screen
    readers switch voice. ``_a`` is for attributes, where no such wrapping is possible.
    """

    translations: gettext.NullTranslations
    page_lang: str
    source_lang: str

    def _lookup(self, message: str) -> str:
        text = self.translations.gettext(message)
        # A translator's braces must name the same placeholders, or format() could fail or
        # reach into objects; such a msgstr falls back to the source.
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(message)):
            return message
        return text

    def attr(self, message: str, **values: object) -> str:
        text = self._lookup(message)
        return text.format(**values) if values else text

    def content(self, message: str, **values: object) -> Markup:
        text = self._lookup(message)
        fallback = text == message and self.page_lang.split("-")[0] != self.source_lang
        rendered = escape(text).format(**values) if values else escape(text)
        if fallback:
            return Markup(f'<span lang="{self.source_lang}" dir="ltr">{rendered}</span>')
        return Markup(rendered)


def make_environment(project_templates: Path, cache: Path | None = None) -> jinja2.Environment:
    """The template environment; ``cache`` keeps compiled templates between builds (Jinja
    checks each against its source), which is most of a small rebuild's rendering time."""
    loaders: list[jinja2.BaseLoader] = []
    if project_templates.is_dir():
        loaders.append(_ProjectLoader(project_templates))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    bytecode = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(cache))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             bytecode_cache=bytecode)
    env.filters["plain"] = lambda s: to_plain(s.text) if isinstance(s, LocalizedSegment) else s
    return env


class TemplateOutside(Exception):
    """A project template that is a symbolic link leading outside the project."""

    def __init__(self, rel: str):
        super().__init__(f"{rel} is a symbolic link leading outside the project")
        self.rel = rel


class _ProjectLoader(jinja2.FileSystemLoader):
    """The project's ``templates/``; a template that links outside the project is refused
    before it is read (falling back to the package's would hide the problem)."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str):
        from pipeline.confine import inside

        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if path.is_file() and not inside(path, self.folder.parent):
            raise TemplateOutside(f"{self.folder.name}/{template}")
        return super().get_source(environment, template)


def segment_html(segment: LocalizedSegment,
                 sentences: tuple[tuple[int, int, str], ...] = ()) -> Markup:
    links = segment.source.links
    if segment.status is Status.TRANSLATED:
        # A link title is source-language text no catalog translates; inside a translated
        # sentence it would be read out in the wrong language, so translated text goes without.
        links = tuple(replace(link, title="") for link in links)
    return to_html(segment.text, links, sentences)


def sentence_marks(article: LocalizedArticle, spoken: Iterable[str], locales_dir: Path,
                   skip: frozenset[str]) -> Callable[[LocalizedSegment], Markup]:
    """``segment_html`` with each sentence of the ``spoken`` sections (their ids: those
    with audio) in a span whose id is its cue's in the section's transcript."""
    lexicons = lexicon_for(locales_dir)
    marks: dict[int, tuple[tuple[int, int, str], ...]] = {}
    wanted = set(spoken)
    for section in article.sections:
        if section.id in wanted:
            for item in section_sentences(section, lexicons, skip):
                marks[id(item.segment)] = tuple(
                    (s.start, s.end, ident)
                    for s, ident in zip(item.sentences, item.ids))
    return lambda segment: segment_html(segment, marks.get(id(segment), ()))


def lang_attrs(segment: LocalizedSegment | None, page_lang: str) -> Markup:
    """``lang``/``dir`` for text whose language differs from the page's (fallbacks)."""
    if segment is None or segment.lang == page_lang:
        return Markup("")
    return Markup(f' lang="{escape(segment.lang)}" dir="{escape(segment.dir)}"')


def format_review_date(iso: str, locale: str) -> str:
    if not iso:
        return ""
    return format_date(dt.date.fromisoformat(iso), format="long",
                       locale=locale_info(locale).babel_locale)


def format_duration(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 60}:{total % 60:02d}"


def format_size(size: int, locale: str = "en") -> str:
    """File size with the locale's decimal mark (1,2 MB in Spanish)."""
    where = locale_info(locale).babel_locale
    if size >= 1_000_000:
        return f"{format_decimal(round(size / 1_000_000, 1), '0.0', locale=where)} MB"
    return f"{format_decimal(max(1, round(size / 1000)), locale=where)} kB"


class Renderer:
    """Renders pages; template errors become ``path:line`` content errors."""

    def __init__(self, project_root: Path, site_name: str, source_lang: str,
                 skip_sections: frozenset[str] = DEFAULT_SKIP_SECTIONS):
        self.root = project_root
        self.skip = skip_sections  # [audio] skip_sections: what the audio does not read
        self.env = make_environment(project_root / "templates",
                                    project_root / ".pipeline-cache" / "templates")
        self.site_name = site_name
        self.source_lang = source_lang

    def _render(self, name: str, **context: object) -> str:
        try:
            template = self.env.get_template(name)
            return template.render(**context)
        except TemplateOutside as exc:
            raise ContentError(Location(exc.rel), "is a symbolic link leading outside the "
                               "project; it is not followed", "path") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(Location(self._template_rel(exc.filename or name), exc.lineno),
                               f"template syntax: {exc.message}", "template") from exc
        except Exception as exc:  # a template's runtime error: undefined names, bad calls...
            filename, line = _template_frame(exc)
            raise ContentError(Location(self._template_rel(filename or name), line),
                               f"template error: {exc}", "template") from exc

    def _template_rel(self, filename: str) -> str:
        """A project template relative to the project, a package one to the repository."""
        path = Path(filename).resolve()
        for base in (self.root.resolve(), PACKAGE_TEMPLATES.parent.parent):
            if path.is_relative_to(base):
                return str(path.relative_to(base))
        return str(path)

    def common(self, info: LocaleInfo, ui: UIText, depth: int) -> dict[str, object]:
        up = "../" * depth
        return dict(site_name=self.site_name, page=info, _=ui.content, _a=ui.attr,
                    root=up, assets=f"{up}assets/", seg=segment_html,
                    lang_attrs=lambda s: lang_attrs(s, info.tag), source_lang=self.source_lang)

    def article_page(self, article: LocalizedArticle, versions: list[PageLink], ui: UIText,
                     tracks: dict[str, AudioTrack], audio_note: str,
                     takeaway: Sequence[Any] = ()) -> str:
        """``takeaway``: the handouts and books the page links to (outreach.Takeaway)."""
        info = locale_info(article.locale)
        return self._render(
            "article.html", **{**self.common(info, ui, 1), "seg": sentence_marks(
                article, tracks, self.root / "locales", self.skip)}, article=article,
            versions=versions, reads_references="references" not in self.skip,
            tracks=tracks, audio_note=audio_note,
            reviewed=format_review_date(article.article.reviewed, article.locale),
            duration=format_duration, size=lambda n: format_size(n, article.locale),
            player_data=player_sections(article, tracks, ui),
            speeds=player_speeds(article.locale),
            voice_note=lambda section: voice_note(section, info.tag, info.babel_locale,
                                                  self.skip),
            x_default=_x_default(versions, self.source_lang), takeaway=takeaway,
            source_name=_language_name(self.source_lang, info.babel_locale),
            language_name=_language_name(article.locale, info.babel_locale))

    def locale_index(self, info: LocaleInfo, articles: list[LocalizedArticle],
                     versions: list[PageLink], ui: UIText, feed: str = "",
                     bundle: tuple[str, int] | None = None) -> str:
        """``feed``: the file name of the locale's podcast feed, "" for none; ``bundle``: the
        offline bundle's href and size in bytes, None for no link."""
        offline = dict(href=bundle[0], size=format_size(bundle[1], info.code)) if bundle \
            else None
        return self._render("locale_index.html", **self.common(info, ui, 1), articles=articles,
                            versions=versions, feed=feed, bundle=offline,
                            x_default=_x_default(versions, self.source_lang))

    def review_page(self, name: str, info: LocaleInfo, depth: int, **context: object) -> str:
        """Review pages are for coordinators: in the source language, chrome untranslated."""
        ui = UIText(gettext.NullTranslations(), info.tag, self.source_lang)
        return self._render(name, **self.common(info, ui, depth), **context)

    def chooser(self, info: LocaleInfo, locales: list[tuple[LocaleInfo, int]],
                ui: UIText) -> str:
        return self._render("index.html", **self.common(info, ui, 0), locales=locales)


PLAYER_SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


def player_sections(article: LocalizedArticle, tracks: dict[str, AudioTrack], ui: UIText
                    ) -> list[dict[str, object]]:
    """The whole-article player's data (the page embeds it as JSON, through ``tojson``): each
    voiced section in order with its file, label (in its language) and sentence timings."""
    sections = []
    for section in article.sections:
        track = tracks.get(section.id)
        if track is None:
            continue
        heading = section.heading
        label = to_plain(heading.text) if heading else ui.attr("Introduction")
        sections.append({
            "id": section.id, "src": f"audio/{article.slug}/{section.id}.mp3",
            "duration": round(track.duration, 3), "label": label,
            "lang": heading.lang if heading else ui.page_lang,
            "sentences": [[s.id, round(s.start, 3), round(s.end, 3)]
                          for s in track.sentences]})
    return sections


def voice_note(section: LocalizedSection, page_tag: str, where: Locale,
               skip: frozenset[str]) -> tuple[str, str]:
    """Whether a section's audio is "wholly" or "partly" in another language than the page
    (untranslated text is read in its own language), and that language's name in the page's
    language; ("", "") when it is all in the page's language."""
    langs = [s.lang for s in spoken_segments(section, skip) if to_plain(s.text)]
    other = [lang for lang in langs if lang != page_tag]
    if not other:
        return "", ""
    return ("wholly" if len(other) == len(langs) else "partly",
            _language_name(other[0], where))


def player_speeds(locale: str) -> list[tuple[str, str]]:
    """The speed choices: value and label in the page's number format ("0,75×" in Spanish)."""
    where = locale_info(locale).babel_locale
    return [(f"{speed:g}", f"{format_decimal(speed, locale=where)}\u00d7")
            for speed in PLAYER_SPEEDS]


def _language_name(code: str, where: Locale) -> str:
    """A language's name in the page's language ("inglés" on a Spanish page), else in its
    own (CLDR has no English name for English in Haitian Creole). ``code``: a gettext code
    or a BCP 47 tag. The one rule for the players' and the takeaways' language names."""
    base = code.replace("-", "_").split("_")[0]
    if base in where.languages:
        return where.languages[base]
    try:
        return locale_info(base).native_name
    except ValueError:  # a tag CLDR does not know: shown as written
        return code


def _x_default(versions: list[PageLink], source_lang: str) -> str:
    for version in versions:
        if version.info.code == source_lang:
            return version.href
    return versions[0].href if versions else ""


def _template_frame(exc: Exception) -> tuple[str, int]:
    """The template file and line where a runtime error happened (the innermost template
    frame: Jinja maps compiled code back to template files), or ("", 0)."""
    tb = exc.__traceback__
    filename, line = "", 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return filename, line
