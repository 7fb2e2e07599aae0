"""Translated text is untrusted: nothing in a msgstr may become active markup on a page.

The site project is built once with hostile msgstrs in its Spanish and Arabic catalogs (article
and interface). Each one must either be shown as literal, escaped text or be refused, in which
case the page shows the English source (marked ``lang="en" dir="ltr"``) and the build says
where: ``locales/<ll>/LC_MESSAGES/<slug>.po:LINE: warning: ... [markup]``.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import polib
import pytest

from pipeline.inline import to_plain
from regenerate_golden import copy_site_project, run_build

SLUG = "hydration"
AUTHOR = "Rivera M"

TITLE = "Staying Hydrated"
SUBTITLE = "Water and Your Health"
INTRO = ("Your body needs <em>water</em> every day. Read the <a1>hydration guide</a1> before "
         "you change how much you drink.")
WHY = "Why Water Matters"
CARRIES = ("Water carries nutrients and keeps your <strong>temperature</strong> steady. "
           "It helps:")
KIDNEYS = "Your kidneys clear waste"
JOINTS = "Your joints move smoothly"
HEART = "Your heart pumps blood"
HOW_MUCH = "How Much to Drink"
GLASS = "Drink a glass with each meal"
BOTTLE = "Keep a bottle nearby"
SET = ("Set your bottle to <code>500 ml</code> and refill it twice.<br/>Ask your "
       "<a1>doctor</a1> or <a2>nurse</a2> if you have heart or kidney disease.")
SIGNS = "Signs of Dehydration"
ALT = "A glass of water on a table"
DARK = "Dark urine, <strong>dizziness</strong> and a dry mouth can mean you need more water."


@dataclass(frozen=True)
class Case:
    id: str
    locale: str
    msgid: str
    msgstr: str
    refused: bool = True  # False: shown literally (escaped)
    domain: str = SLUG


CASES = [
    Case("script-in-title", "es", TITLE, "</title><script>alert(1)</script>"),
    Case("img-onerror", "es", SUBTITLE, "<img src=x onerror=alert(1)>"),
    Case("em-unclosed", "es", INTRO, "Su cuerpo necesita <em>agua todos los días. Lea la "
         "<a1>guía de hidratación</a1> antes de cambiar cuánto bebe."),
    Case("markdown-javascript-link", "es", WHY, "[x](javascript:alert(1))"),
    Case("html-javascript-link", "es", CARRIES, '<a href="javascript:alert(1)">El agua</a> '
         "mantiene estable su <strong>temperatura</strong>."),
    Case("jinja-expression", "es", KIDNEYS, "Sus riñones {{ 7*7 }}"),
    Case("jinja-raw", "es", JOINTS, "{% raw %}Sus articulaciones{% endraw %}"),
    Case("script", "es", HEART, "<script>alert(1)</script>"),
    Case("comment", "es", GLASS, "Beba un vaso <!-- x --> con cada comida"),
    Case("entities", "es", BOTTLE, "Tenga &lt;script&gt;alert(1)&lt;/script&gt; cerca"),
    Case("a1-onclick", "es", SET, 'Llene su botella hasta <code>500 ml</code>.<br/>Pregunte '
         'a su <a1 onclick="x">médico</a1> o a su <a2>enfermera</a2>.'),
    Case("closing-tags", "es", SIGNS, "Señales</h2><h1>de deshidratación"),
    Case("alt-attribute-breakout", "es", ALT, 'Un vaso de agua" onerror="alert()',
         refused=False),
    Case("a2-not-in-source", "ar", INTRO, "يحتاج جسمك إلى <em>الماء</em> كل يوم. اقرأ "
         "<a1>دليل الترطيب</a1> و<a2>المزيد</a2>."),
    Case("swapped-nesting", "ar", SET, "املأ زجاجتك حتى <code>500 ml</code>.<br/>اسأل "
         "<a1>طبيبك أو <a2>ممرضتك</a1></a2>."),
    Case("svg-onload", "ar", KIDNEYS, "<svg onload=alert(1)>"),
    Case("jinja-in-title", "ar", TITLE, "{{ 7*7 }}"),
    Case("strong-unclosed", "ar", DARK, "قد يعني البول الداكن و<strong>الدوخة وجفاف الفم."),
    # the interface catalog
    Case("ui-format-attribute", "es", "By {author}", "{author.__class__}", domain="_site"),
    Case("ui-markup", "ar", "By {author}", "<b>x</b>", domain="_site"),
    Case("ui-format-reaching-out", "es", "Reviewed {date}",
         "Revisado {date.__class__.__mro__}", domain="_site"),
    Case("ui-script", "es", "Read this page in", "Leer <script>alert(1)</script>",
         domain="_site"),
    Case("ui-attribute-breakout", "es", "Languages", 'Idiomas" onmouseover="alert()',
         refused=False, domain="_site"),
]
WARNED = [c for c in CASES if c.refused]


def po_file(root: Path, case: Case) -> Path:
    return root / "locales" / case.locale / "LC_MESSAGES" / f"{case.domain}.po"


def po_rel(case: Case) -> str:
    return f"locales/{case.locale}/LC_MESSAGES/{case.domain}.po"


def entry_lines(path: Path, msgid: str) -> tuple[int, int]:
    """(first line of the entry, line of its msgstr) in a PO file."""
    entry = polib.pofile(str(path)).find(msgid)
    lines = path.read_text(encoding="utf-8").splitlines()
    for number in range(entry.linenum, len(lines) + 1):
        if lines[number - 1].startswith("msgstr"):
            return entry.linenum, number
    raise AssertionError(f"no msgstr for {msgid!r} in {path}")


@dataclass
class Built:
    root: Path
    code: int
    out: str
    err: str

    @property
    def output(self) -> Path:
        return self.root / "output"

    def page(self, locale: str, name: str = f"{SLUG}.html"):
        return lxml.html.document_fromstring(
            (self.output / locale / name).read_text(encoding="utf-8"))

    def warnings(self, case: Case) -> list[tuple[int, str]]:
        pattern = re.compile(rf"^{re.escape(po_rel(case))}:(\d+): warning: (.+) \[markup\]$")
        return [(int(m.group(1)), m.group(2)) for line in self.err.splitlines()
                if (m := pattern.match(line))]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = copy_site_project(tmp_path_factory.mktemp("untrusted") / "site")
    config = root / "pipeline.toml"
    # so pages with many refused segments are still published and can be inspected
    config.write_text(re.sub(r"(?m)^publish_threshold = .*$", "publish_threshold = 0",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    for path in {po_file(root, c) for c in CASES}:
        po = polib.pofile(str(path), wrapwidth=79)
        for case in (c for c in CASES if po_file(root, c) == path):
            entry = po.find(case.msgid)
            assert entry is not None, case.msgid
            entry.msgstr = case.msgstr
        po.save(str(path))
    done = run_build(root)
    return Built(root, done.returncode, done.stdout, done.stderr)


def all_pages(built: Built) -> list[Path]:
    return sorted(built.output.rglob("*.html"))


def test_the_build_goes_on(built: Built):
    assert built.code == 0, built.out + built.err
    for locale in ("en", "es", "ar"):
        assert (built.output / locale / f"{SLUG}.html").is_file()


def test_no_page_has_active_markup_from_a_translation(built: Built):
    pages = all_pages(built)
    assert len(pages) >= 9  # articles, indexes, chooser, review pages
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        doc = lxml.html.document_fromstring(raw)
        assert doc.xpath("//script") == [], page
        # the one SVG is the template's own decorative globe before the language list
        assert doc.xpath("//svg[not(@class='languages-icon' and @aria-hidden='true')] | //b "
                         "| //iframe | //object | //embed") == [], page
        assert len(doc.xpath("//svg")) <= 1, page
        handlers = [(el.tag, name) for el in doc.iter() if isinstance(el.tag, str)
                    for name in el.attrib if name.lower().startswith("on")]
        assert handlers == [], page
        for value in doc.xpath("//@href | //@src | //@action | //@formaction"):
            assert not re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(
                ("javascript:", "data:", "vbscript:")), (page, value)
        assert [img.get("src") for img in doc.xpath("//img")] in (
            [], ["../media/images/glass.png"]), page
        assert len(doc.xpath("//h1")) == 1, page
        assert "49" not in raw, page
        assert raw.rstrip().endswith("</html>"), page


def visible(element) -> str:
    """Text as read: whitespace collapsed, a line break counting as a space."""
    parts: list[str] = []

    def walk(node) -> None:
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                if child.tag == "br":
                    parts.append(" ")
                else:
                    walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


def element_with_text(root, text: str) -> list:
    """The innermost elements whose visible text is ``text``."""
    return [el for el in root.iter() if isinstance(el.tag, str) and visible(el) == text
            and not [c for c in el if isinstance(c.tag, str) and visible(c) == text]]


@pytest.mark.parametrize("case", [c for c in CASES if c.domain == SLUG and c.refused],
                         ids=lambda c: c.id)
def test_refused_segment_falls_back_to_the_marked_english_source(built: Built, case: Case):
    doc = built.page(case.locale)
    english = to_plain(case.msgid)
    if case.msgid == ALT:
        shown = doc.xpath("//main//img")
        assert [img.get("alt") for img in shown] == [english]
        assert shown[0].get("lang") == "en"
        return
    found = element_with_text(doc.xpath("//main")[0], english)
    assert found, f"{english!r} is not shown on the {case.locale} page"
    for el in found:
        assert (el.get("lang"), el.get("dir")) == ("en", "ltr"), (english, el.attrib)
    if case.msgid == TITLE:
        assert english in doc.xpath("/html/head/title")[0].text_content()
    # the refused text is not on the public page, neither as markup nor as text
    raw = (built.output / case.locale / f"{SLUG}.html").read_text(encoding="utf-8")
    assert case.msgstr not in raw and html.escape(case.msgstr, quote=False) not in raw
    words = " ".join(re.sub(r"<[^>]*>", " ", case.msgstr).split())
    if words:
        assert words not in visible(doc.xpath("/html/body")[0])


def test_literal_text_is_escaped_not_interpreted(built: Built):
    es = built.page("es")
    alts = es.xpath("//main//img/@alt")
    assert alts == ['Un vaso de agua" onerror="alert()']
    assert es.xpath("//main//img[@onerror]") == []
    navs = es.xpath("//nav[@aria-label]")
    assert [n.get("aria-label") for n in navs] == ['Idiomas" onmouseover="alert()']


def test_the_review_page_shows_refused_text_escaped(built: Built):
    raw = (built.output / "_review" / "es" / f"{SLUG}.html").read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(raw)
    cells = [" ".join(td.text_content().split()) for td in doc.xpath("//td")]
    for case in (c for c in CASES if c.locale == "es" and c.domain == SLUG):
        assert case.msgstr in cells, case.id


def byline(doc):
    return doc.xpath("//main//*[contains(concat(' ', normalize-space(@class), ' '), "
                     "' byline ')]")[0]


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_interface_text_cannot_inject(built: Built, locale: str):
    doc = built.page(locale)
    line = byline(doc)
    text = " ".join(line.text_content().split())
    assert f"By {AUTHOR}" in text
    assert "class" not in text and "mro" not in text and "<b>" not in text
    marked = [el for el in line.iter() if el.get("lang") == "en"]
    assert any(" ".join(el.text_content().split()) == f"By {AUTHOR}" for el in marked)
    if locale == "es":
        nav_title = doc.xpath("//nav//*[self::h2 or self::h3 or self::p][1]")[0]
        assert " ".join(nav_title.text_content().split()) == "Read this page in"
        assert "Revisado {date" not in doc.text_content()


@pytest.mark.parametrize("case", WARNED, ids=lambda c: c.id)
def test_each_refused_msgstr_is_reported_with_its_po_file_and_entry(built: Built, case: Case):
    warnings = built.warnings(case)
    start, msgstr_line = entry_lines(po_file(built.root, case), case.msgid)
    mine = [(line, message) for line, message in warnings if start <= line <= msgstr_line]
    assert len(mine) == 1, (case.id, warnings, built.err)
    assert "source text is shown instead" in mine[0][1]


def test_warnings_point_at_the_msgstr_line(built: Built):
    for case in WARNED:
        _, msgstr_line = entry_lines(po_file(built.root, case), case.msgid)
        assert msgstr_line in [line for line, _ in built.warnings(case)], case.id


def test_no_warning_for_text_that_is_merely_shown_literally(built: Built):
    for case in (c for c in CASES if not c.refused):
        start, msgstr_line = entry_lines(po_file(built.root, case), case.msgid)
        assert not [w for w in built.warnings(case) if start <= w[0] <= msgstr_line], case.id
