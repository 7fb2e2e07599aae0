"""The built site, read the way browsers and screen readers read it (XPath over lxml).

The sample content (source/ and locales/ of this repository: es, zh_Hans, vi, ar and ht
complete, ru partial, tl below the threshold) is built once without audio into a scratch
copy; the golden pages come from the tiny fixed project in tests/projects/site/.
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import polib
import pytest
from babel import Locale

from pipeline.inline import to_plain
from pipeline.locales import locale_info
from pipeline.report import Reporter
from pipeline.stages.read import read_article
from regenerate_golden import GOLDEN, PAGES, build_golden_pages, copy_site_project, run_build
from sitekit import build_site, copy_sample_project, run_pipeline, site_pages

SLUG = "dermatomyositis"
SOURCE = "en"
# gettext code -> (BCP 47 tag, direction, name in the language's own script)
PUBLISHED = {
    "en": ("en", "ltr", "English"),
    "es": ("es", "ltr", "Español"),
    "zh_Hans": ("zh-Hans", "ltr", "中文 (简体)"),
    "vi": ("vi", "ltr", "Tiếng Việt"),
    "ar": ("ar", "rtl", "العربية"),
    "ht": ("ht", "ltr", "Kreyòl Ayisyen"),
    "ru": ("ru", "ltr", "Русский"),
}
WITHHELD = "tl"
BY_TAG = {tag: code for code, (tag, _, _) in PUBLISHED.items()}
FOCUSABLE = ("//a[@href] | //button | //input[not(@type='hidden')] | //select | //textarea"
             " | //audio[@controls] | //video[@controls] | //summary | //iframe"
             " | //*[@tabindex][number(@tabindex) >= 0]")
HEADING = "*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"


# -- helpers -----------------------------------------------------------------------------------

def parse(path: Path):
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def norm(text: str) -> str:
    return " ".join(text.split())


def text_of(element) -> str:
    return norm(element.text_content())


def nearest_lang(element) -> tuple[str | None, str | None]:
    """The language and direction in effect for an element (its own or an ancestor's)."""
    lang = direction = None
    for node in [element, *element.iterancestors()]:
        if lang is None and node.get("lang") is not None:
            lang = node.get("lang")
        if direction is None and node.get("dir") is not None:
            direction = node.get("dir")
    return lang, direction


def resolve(page: Path, href: str) -> Path:
    return (page.parent / urlsplit(href).path).resolve()


class Site:
    """The built sample site: its pages parsed once, its catalogs for expectations."""

    def __init__(self, root: Path):
        self.root = root
        self.output = root / "output"
        self._docs: dict[Path, object] = {}

    def doc(self, path: Path):
        if path not in self._docs:
            self._docs[path] = parse(path)
        return self._docs[path]

    def pages(self) -> list[Path]:
        return site_pages(self.output)

    def article(self, code: str) -> Path:
        return self.output / PUBLISHED[code][0] / f"{SLUG}.html"

    def articles(self) -> list[tuple[str, Path]]:
        return [(code, self.article(code)) for code in PUBLISHED]

    def locale_of(self, page: Path) -> str:
        rel = page.relative_to(self.output)
        return SOURCE if len(rel.parts) == 1 else BY_TAG[rel.parts[0]]

    def po(self, code: str, domain: str) -> polib.POFile:
        return polib.pofile(str(self.root / "locales" / code / "LC_MESSAGES" / f"{domain}.po"))

    def ui(self, code: str, msgid: str) -> str:
        """The interface text a page in ``code`` should show for ``msgid``."""
        if code == SOURCE:
            return msgid
        entry = self.po(code, "_site").find(msgid)
        if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
            return msgid
        return entry.msgstr


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = copy_sample_project(tmp_path_factory.mktemp("sample") / "project")
    build_site(root, "--no-audio")
    return Site(root)


@pytest.fixture(scope="module")
def article_source(site: Site):
    path = site.root / "source" / f"{SLUG}.md"
    return read_article(path, f"source/{SLUG}.md", SOURCE, Reporter(stream=io.StringIO()))


# -- every page --------------------------------------------------------------------------------

def test_the_expected_pages_exist(site: Site):
    expected = {site.output / "index.html"}
    for tag, _, _ in PUBLISHED.values():
        expected |= {site.output / tag / "index.html", site.output / tag / f"{SLUG}.html"}
    assert set(site.pages()) == expected


def test_every_page_has_lang_and_dir_from_babel(site: Site):
    for page in site.pages():
        code = site.locale_of(page)
        html = site.doc(page)
        tag, direction, _ = PUBLISHED[code]
        assert html.get("lang") == tag == locale_info(code).tag, page
        assert html.get("dir") == direction == Locale.parse(code).text_direction, page
    assert site.doc(site.article("ar")).get("dir") == "rtl"
    assert site.doc(site.article("zh_Hans")).get("lang") == "zh-Hans"
    assert (site.output / "zh-Hans" / f"{SLUG}.html").is_file()


def test_every_page_has_a_localized_title(site: Site):
    english = text_of(site.doc(site.article("en")).find(".//title"))
    for code, page in site.articles():
        doc = site.doc(page)
        titles = doc.xpath("/html/head/title")
        assert len(titles) == 1, page
        title = text_of(titles[0])
        h1 = text_of(doc.xpath("//h1")[0])
        assert h1 in title, (page, title)
        assert site.ui(code, "Health Library") in title, (page, title)
        if code != SOURCE:
            assert title != english, page
    for page in site.pages():
        title = site.doc(page).xpath("/html/head/title")
        assert len(title) == 1 and text_of(title[0]), page
        assert site.ui(site.locale_of(page), "Health Library") in text_of(title[0]), page


def test_skip_link_to_main_is_the_first_focusable_element(site: Site):
    for page in site.pages():
        doc = site.doc(page)
        first = doc.xpath(FOCUSABLE)[0]
        assert first.tag == "a" and first.get("href") == "#main", (page, first.get("href"))
        assert text_of(first) == site.ui(site.locale_of(page), "Skip to main content"), page
        targets = doc.xpath("//*[@id='main']")
        assert len(targets) == 1 and targets[0].tag == "main", page


def _landmarks(doc) -> dict[str, int]:
    sectioning = "ancestor::article or ancestor::aside or ancestor::main or ancestor::nav " \
                 "or ancestor::section"
    return {
        "banner": len(doc.xpath(f"//header[not({sectioning})]")),
        "main": len(doc.xpath("//main")),
        "contentinfo": len(doc.xpath(f"//footer[not({sectioning})]")),
        "navigation": len(doc.xpath("//nav")),
    }


def test_every_page_has_header_main_footer_landmarks(site: Site):
    for page in site.pages():
        marks = _landmarks(site.doc(page))
        assert marks["banner"] == 1 and marks["main"] == 1 and marks["contentinfo"] == 1, \
            (page, marks)


def test_article_and_language_pages_have_a_nav_landmark(site: Site):
    for page in site.pages():
        if page.parent == site.output:
            continue  # the chooser: see the next test
        assert _landmarks(site.doc(page))["navigation"] >= 1, page


def test_the_language_chooser_has_a_nav_landmark(site: Site):
    assert _landmarks(site.doc(site.output / "index.html"))["navigation"] >= 1


def test_one_h1_and_heading_levels_never_skip(site: Site):
    for page in site.pages():
        doc = site.doc(page)
        levels = [int(h.tag[1]) for h in doc.xpath(f"//{HEADING}")]
        assert levels.count(1) == 1, (page, levels)
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, (page, levels)
        in_main = [int(h.tag[1]) for h in doc.xpath(f"//main//{HEADING}")]
        assert in_main and in_main[0] == 1, (page, in_main)
        for before, after in zip(in_main, in_main[1:]):
            assert after <= before + 1, (page, in_main)
    # the article really uses three levels: title, sections, subsections
    levels = [h.tag for h in site.doc(site.article("es")).xpath(f"//main//{HEADING}")]
    assert {"h1", "h2", "h3"} <= set(levels)


def test_lists_are_real_lists(site: Site, article_source):
    therapy = next(s for s in article_source.sections if s.id == "physical-therapy")
    items = [to_plain(seg.text) for b in therapy.blocks if b.kind.value == "bullets"
             for seg in b.segments]
    assert len(items) == 3
    for code, page in site.articles():
        doc = site.doc(page)
        lists = doc.xpath("//main//ul[preceding::h2[1][@id='physical-therapy']]")
        assert len(lists) == 1, page
        assert len(lists[0].xpath("./li")) == 3, page
        assert all(li.getparent() is lists[0] for li in lists[0].xpath(".//li")), page
        citations = doc.xpath("//main//ol[preceding::h2[1][@id='references']]/li")
        assert len(citations) == 5, page
        # no list drawn with characters inside paragraphs
        for p in doc.xpath("//main//p"):
            assert not re.match(r"^\s*(?:[-*•·]|\d+[.)])\s", p.text_content()), (page, p)
    english = site.doc(site.article("en"))
    shown = [text_of(li) for li in
             english.xpath("//main//ul[preceding::h2[1][@id='physical-therapy']]/li")]
    assert shown == items


def test_language_switcher_names_each_language_in_its_own_script(site: Site):
    for page in site.pages():
        if page.parent == site.output:
            continue
        doc = site.doc(page)
        here = PUBLISHED[site.locale_of(page)][0]
        links = doc.xpath("//nav//a[@hreflang]")
        # the page's own language is text, not a link to itself
        current = doc.xpath("//nav[contains(@class, 'languages')]//*[@aria-current='true']")
        assert len(current) == 1 and current[0].tag == "span", page
        assert current[0].get("lang") == here, page
        assert text_of(current[0]) == PUBLISHED[site.locale_of(page)][2], page
        assert sorted([a.get("hreflang") for a in links] + [here]) == \
            sorted(tag for tag, _, _ in PUBLISHED.values()), page
        for a in links:
            code = BY_TAG[a.get("hreflang")]
            tag, direction, name = PUBLISHED[code]
            assert text_of(a) == name == locale_info(code).native_name, (page, text_of(a))
            assert a.get("lang") == tag, (page, a.get("lang"))
            assert nearest_lang(a)[1] == direction, (page, tag)
            assert resolve(page, a.get("href")).is_file(), (page, a.get("href"))
            assert resolve(page, a.get("href")).name == page.name, (page, a.get("href"))


def test_alternate_links_for_every_published_locale_and_x_default(site: Site):
    for page in site.pages():
        if page.parent == site.output:
            continue
        doc = site.doc(page)
        links = doc.xpath("/html/head/link[@rel='alternate'][@hreflang]")
        hreflangs = [link.get("hreflang") for link in links]
        assert sorted(hreflangs) == sorted([tag for tag, _, _ in PUBLISHED.values()]
                                           + ["x-default"]), page
        for link in links:
            target = resolve(page, link.get("href"))
            assert target.is_file(), (page, link.get("href"))
            assert target.name == page.name, (page, link.get("href"))
            if link.get("hreflang") != "x-default":
                assert target.parent.name == link.get("hreflang"), (page, link.get("href"))


def test_the_author_is_shown(site: Site, article_source):
    assert article_source.author == "Polsdorfer R"
    for code, page in site.articles():
        main = text_of(site.doc(page).xpath("//main")[0])
        byline = site.ui(code, "By {author}").format(author=article_source.author)
        assert byline in main, (page, byline)


def test_fully_translated_pages_have_no_fallbacks_and_no_notice(site: Site):
    for code in ("es", "zh_Hans", "vi", "ar", "ht"):
        doc = site.doc(site.article(code))
        notice = site.ui(code, "Parts of this page are not yet translated. They are shown in "
                         "the original language.")
        assert notice not in text_of(doc.xpath("//main")[0]), code
        foreign = [el for el in doc.xpath("//main//*[@lang]")
                   if el.xpath("ancestor-or-self::ol[preceding::h2[1][@id='references']]")
                   == []]
        assert foreign == [], (code, [text_of(el)[:40] for el in foreign])


def test_russian_partial_page_marks_untranslated_text_as_english(site: Site):
    page = site.article("ru")
    doc = site.doc(page)
    main = doc.xpath("//main")[0]
    elements = main.xpath(".//*[self::h1 or self::h2 or self::h3 or self::p or self::li]")
    by_text: dict[str, list] = {}
    for el in elements:
        by_text.setdefault(text_of(el), []).append(el)
    untranslated = translated = 0
    for entry in site.po("ru", SLUG):
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgstr and "fuzzy" not in entry.flags:
            found = by_text.get(to_plain(entry.msgstr), [])
            assert found, f"translation of {entry.msgid[:40]!r} is not on the page"
            for el in found:
                assert nearest_lang(el) == ("ru", "ltr"), (entry.msgid[:40], el.attrib)
            translated += 1
        else:
            found = by_text.get(to_plain(entry.msgid), [])
            assert found, f"source text {entry.msgid[:40]!r} is not on the page"
            for el in found:
                assert el.get("lang") == "en" and el.get("dir") == "ltr", \
                    (entry.msgid[:40], el.attrib)
            untranslated += 1
    assert translated >= 5 and untranslated >= 5, (translated, untranslated)
    notice = site.ui("ru", "Parts of this page are not yet translated. They are shown in the "
                     "original language.")
    assert notice != "Parts of this page are not yet translated. They are shown in the " \
                     "original language."
    notes = [el for el in main.xpath(".//*") if text_of(el) == notice]
    assert len(notes) == 1
    assert nearest_lang(notes[0])[0] == "ru"


def test_reference_citations_keep_their_language_on_the_spanish_page(site: Site,
                                                                       article_source):
    citations = [to_plain(seg.text) for s in article_source.sections for b in s.blocks
                 if b.kind.value == "citations" for seg in b.segments]
    assert len(citations) == 5
    doc = site.doc(site.article("es"))
    assert doc.get("lang") == "es"
    items = {text_of(li): li for li in doc.xpath("//main//li")}
    for citation in citations:
        assert citation in items, citation[:40]
        assert items[citation].get("lang") == "en", citation[:40]
        assert items[citation].get("dir") == "ltr", citation[:40]


def test_tagalog_below_the_threshold_is_not_published_or_offered(site: Site):
    assert not (site.output / WITHHELD).exists()
    assert not (site.output / locale_info(WITHHELD).tag).exists()
    for page in site.pages():
        doc = site.doc(page)
        assert not doc.xpath("//*[@hreflang='tl' or @lang='tl']"), page
        assert not [h for h in doc.xpath("//@href | //@src") if re.search(r"(^|/)tl/", h)], \
            page
    chooser = site.doc(site.output / "index.html")
    offered = sorted(a.get("hreflang") for a in chooser.xpath("//main//a[@hreflang]"))
    assert offered == sorted(tag for tag, _, _ in PUBLISHED.values())
    for a in chooser.xpath("//main//a[@hreflang]"):
        code = BY_TAG[a.get("hreflang")]
        assert text_of(a) == PUBLISHED[code][2] and a.get("lang") == PUBLISHED[code][0]
        assert resolve(site.output / "index.html", a.get("href")).is_file()


def test_manifest_lists_pages_locales_and_coverage(site: Site):
    manifest = json.loads((site.output / "manifest.json").read_text(encoding="utf-8"))
    pages = {(p["locale"], p["slug"]): p for p in manifest["pages"]}
    assert set(pages) == {(code, SLUG) for code in PUBLISHED}
    for (code, _), entry in pages.items():
        assert entry["lang"] == PUBLISHED[code][0]
        assert (site.output / entry["path"]).is_file()
        assert entry["coverage"] == round(100 * entry["translated_words"]
                                          / entry["total_words"], 1)
        expected = 100.0 if code != "ru" else None
        if expected is not None:
            assert entry["coverage"] == expected, code
            assert entry["fallback_segments"] == 0, code
    assert 50 <= pages[("ru", SLUG)]["coverage"] < 100
    assert pages[("ru", SLUG)]["fallback_segments"] > 0
    locales = {item["code"]: item for item in manifest["locales"]}
    for code, (tag, direction, name) in PUBLISHED.items():
        assert locales[code]["tag"] == tag and locales[code]["dir"] == direction
        assert locales[code]["name"] == name
        assert locales[code]["articles"] == [SLUG]
    assert locales.get(WITHHELD, {"articles": []})["articles"] == []
    assert [(w["slug"], w["locale"]) for w in manifest["withheld"]] == [(SLUG, WITHHELD)]
    assert manifest["source_language"] == "en"


_URL_IN_CSS = re.compile(r"""url\(\s*['"]?\s*([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


def _external(value: str) -> bool:
    value = value.strip().lower()
    return value.startswith(("http:", "https:", "//", "ftp:")) or bool(
        re.match(r"^[a-z][a-z0-9+.-]*://", value))


def test_no_page_loads_anything_from_the_network(site: Site):
    for page in [*site.pages(), *sorted((site.output / "_review").rglob("*.html"))]:
        doc = site.doc(page)
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            for name, value in el.attrib.items():
                if name in ("src", "srcset", "data", "poster", "action", "formaction",
                            "background", "cite", "manifest", "xlink:href") or (
                        name == "href" and el.tag != "a"):
                    for part in value.split(","):
                        assert not _external(part.strip().split(" ")[0]), \
                            (page, el.tag, name, value)
                if name == "style":
                    for m in _URL_IN_CSS.finditer(value):
                        assert not _external(m.group(1) or m.group(2)), (page, value)
            if el.tag == "a" and _external(el.get("href", "")):
                # outside links are fine in the article text, never in the page chrome
                assert el.xpath("ancestor::main"), (page, el.get("href"))
        for style in doc.xpath("//style"):
            for m in _URL_IN_CSS.finditer(style.text or ""):
                assert not _external(m.group(1) or m.group(2)), page
        assert not doc.xpath("//script[@src] | //iframe | //object | //embed"), page
        assert not doc.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']"), page
    for css in (site.output / "assets").glob("*.css"):
        for m in _URL_IN_CSS.finditer(css.read_text(encoding="utf-8")):
            assert not _external(m.group(1) or m.group(2)), (css, m.group(0))


def test_outside_links_in_content_keep_their_source_targets(site: Site):
    content = "//main//a[not(ancestor::section[@class='takeaway'])]"  # not the handouts
    english = sorted(a.get("href") for a in site.doc(site.article("en")).xpath(content))
    for code, page in site.articles():
        assert sorted(a.get("href") for a in site.doc(page).xpath(content)) == english


def test_pages_link_the_handouts_and_books_their_settings_ask_for(site: Site):
    for code, page in site.articles():
        links = site.doc(page).xpath("//section[@class='takeaway']//a")
        hrefs = [a.get("href") for a in links]
        expected = ["dermatomyositis.pdf"] + (["dermatomyositis.bilingual.pdf"]
                                               if code != "en" else []) + ["dermatomyositis.epub"]
        assert hrefs == expected, code
        assert all((page.parent / href).is_file() for href in hrefs), code
        assert links[-1].get("download") == f"dermatomyositis-{page.parent.name}.epub"


def test_a_second_build_rewrites_nothing(site: Site):
    def snapshot() -> dict[Path, tuple[int, int]]:
        return {p: (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in site.output.rglob("*") if p.is_file()}

    before = snapshot()
    done = run_pipeline(site.root, "build", "--no-audio")
    assert done.returncode == 0, done.stdout + done.stderr
    after = snapshot()
    assert set(after) == set(before)
    changed = sorted(str(p.relative_to(site.output)) for p in before if before[p] != after[p])
    assert changed == []


def test_the_output_has_no_temporary_files(site: Site):
    leftovers = [p for p in site.output.rglob("*") if p.name.endswith(".tmp")
                 or p.name.startswith(".")]
    assert leftovers == []


def test_every_page_is_complete_html(site: Site):
    for page in [*site.pages(), *(site.output / "_review").rglob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), page


# -- golden pages ------------------------------------------------------------------------------

def test_the_site_project_builds_cleanly(tmp_path):
    root = copy_site_project(tmp_path / "site")
    done = run_build(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s), 0 warning(s)" in done.stdout, done.stdout + done.stderr
    check = run_pipeline(root, "update", "--check")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("rel", PAGES)
def test_golden_pages(tmp_path, rel):
    golden = GOLDEN / rel
    assert golden.is_file(), f"{golden} is missing; run 'make golden'"
    built = build_golden_pages(tmp_path)[rel]
    assert built == golden.read_text(encoding="utf-8"), (
        f"{rel} differs from {golden.relative_to(GOLDEN.parent.parent)}; if the change is "
        "intended, run 'make golden' and review the diff")


def test_golden_pages_are_what_they_claim(tmp_path):
    """The golden files themselves: Spanish LTR, Arabic RTL, every string translated."""
    es = parse(GOLDEN / "es" / "hydration.html")
    ar = parse(GOLDEN / "ar" / "hydration.html")
    assert (es.get("lang"), es.get("dir")) == ("es", "ltr")
    assert (ar.get("lang"), ar.get("dir")) == ("ar", "rtl")
    for doc in (es, ar):
        assert [text_of(h) for h in doc.xpath("//h1")] != ["Staying Hydrated"]
        # only the citations stay in English
        marked = doc.xpath("//main//*[@lang]")
        assert marked and all(el.tag == "li" and el.get("lang") == "en" for el in marked)
        assert len(doc.xpath("//main//a[starts-with(@href, 'https://example.org/')]")) == 3
        assert doc.xpath("//main//img/@alt")[0] not in ("", "A glass of water on a table")
        assert doc.xpath("//main//code") and doc.xpath("//main//br")
