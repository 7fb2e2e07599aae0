"""The UPPERCASE pseudo-locale: every string a page shows must come from a catalog.

A project configured with ``en@pseudo`` gets a pseudo PO for every POT (each article and the
``_site`` interface catalog) in which every msgstr is its msgid in capitals. On the built
pseudo pages, any lower-case text is a string that escaped translation: chrome hard-coded in
a template, text assembled in Python, a fallback. Only reference citations (kept in the
source language, marked ``lang="en"``) and the language names of the switcher (each in its own
language, marked with its ``lang``) may differ.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import polib
import pytest

from pipeline.inline import tag_signature
from pipeline.locales import PSEUDO, locale_info
from pipeline.pseudo import pseudo_text, write_pseudo_catalog, write_pseudo_catalogs
from regenerate_golden import PROJECT, REPO
from sitekit import run_pipeline

TAG = locale_info(PSEUDO).tag  # en-x-pseudo
# Values filled into interface strings from the source, not translated text.
DATA = ("Rivera M", "Polsdorfer R", "March 15, 2024")
TRANSLATABLE_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "aria-description")


# -- the pseudo translation itself ------------------------------------------------------------

@pytest.mark.parametrize("msgid, expected", [
    ("<a1>see</a1>", "<a1>SEE</a1>"),
    ("Read the <a1>guide</a1> and <a2>more</a2>.", "READ THE <a1>GUIDE</a1> AND <a2>MORE</a2>."),
    ("By {author}", "BY {author}"),
    ("Download audio (MP3, {size}, {duration})", "DOWNLOAD AUDIO (MP3, {size}, {duration})"),
    ("Take <em>one</em> <strong>daily</strong>, <code>5 mg</code>.<br/>Then rest.",
     "TAKE <em>ONE</em> <strong>DAILY</strong>, <code>5 MG</code>.<br/>THEN REST."),
    ("Line<br />break", "LINE<br />BREAK"),
    ("Salt &amp; water", "SALT &amp; WATER"),
    ("Straße", "STRASSE"),
    ("", ""),
])
def test_pseudo_text_uppercases_all_but_tags_and_placeholders(msgid, expected):
    assert pseudo_text(msgid) == expected


def test_pseudo_catalog_is_valid_and_complete(tmp_path):
    pot = tmp_path / "x.pot"
    shutil.copy(PROJECT / "locales" / "hydration.pot", pot)
    po_path = write_pseudo_catalog(pot, tmp_path / PSEUDO / "LC_MESSAGES" / "x.po")
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    po = polib.pofile(str(po_path))
    assert po.metadata["Language"] == PSEUDO
    assert po.metadata["Plural-Forms"] == locale_info(PSEUDO).plural_forms
    template = [e.msgid for e in polib.pofile(str(pot)) if e.msgid]
    assert [e.msgid for e in po] == template
    for entry in po:
        assert not entry.fuzzy
        assert entry.msgstr == pseudo_text(entry.msgid)
        assert tag_signature(entry.msgstr) == tag_signature(entry.msgid)
        assert re.sub(r"<[^>]*>", "", entry.msgstr) == \
            re.sub(r"<[^>]*>", "", entry.msgstr).upper()


def test_pseudo_catalog_keeps_plural_entries(tmp_path):
    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": ""}
    pot.append(polib.POEntry(msgid="{n} page", msgid_plural="{n} pages", msgstr_plural={}))
    pot.save(str(tmp_path / "p.pot"))
    po = polib.pofile(str(write_pseudo_catalog(tmp_path / "p.pot", tmp_path / "p.po")))
    assert po[0].msgstr_plural == {0: "{n} PAGE", 1: "{n} PAGES"}


# -- a site built in the pseudo-locale ---------------------------------------------------------

def pseudo_project(root: Path) -> Path:
    """The site project plus the sample article, with en@pseudo as its only locale."""
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("output", "locales"))
    shutil.copy(REPO / "source" / "dermatomyositis.md", root / "source")
    config = root / "pipeline.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^locales = .*$", f'locales = ["{PSEUDO}"]', text),
                      encoding="utf-8")
    done = run_pipeline(root, "extract")
    assert done.returncode == 0, done.stdout + done.stderr
    written = write_pseudo_catalogs(root / "locales")
    assert sorted(p.name for p in written) == ["_site.po", "dermatomyositis.po",
                                               "hydration.po"]
    return root


@pytest.fixture(scope="module")
def pseudo_site(tmp_path_factory) -> Path:
    root = pseudo_project(tmp_path_factory.mktemp("pseudo") / "project")
    done = run_pipeline(root, "build", "--no-audio")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s), 0 warning(s)" in done.stdout, done.stdout + done.stderr
    return root


def _lang_of(element) -> str | None:
    for node in [element, *element.iterancestors()]:
        if node.get("lang") is not None:
            return node.get("lang")
    return None


def _is_citation(element) -> bool:
    return bool(element.xpath("ancestor-or-self::li[parent::ol]"
                              "[preceding::h2[1][@id='references']]"))


def _is_language_name(element) -> bool:
    return bool(element.xpath("ancestor-or-self::a[@hreflang][ancestor::nav]"))


def _untranslated(text: str) -> bool:
    for value in DATA:
        text = text.replace(value, "")
    return text != text.upper()


def leaks(doc) -> list[str]:
    """Text on a pseudo page that did not come through the pseudo catalogs."""
    found = []
    for title in doc.xpath("/html/head/title"):
        if _untranslated(title.text_content()):
            found.append(f"<title>: {title.text_content()!r}")
    for node in doc.xpath("/html/body//text()"):
        if not node.strip():
            continue
        owner = node.getparent()
        context = owner.getparent() if node.is_tail else owner
        lang = _lang_of(context)
        if lang != TAG:
            if lang == "en" and _is_citation(context):
                continue
            if _is_language_name(context) and lang == context.xpath(
                    "ancestor-or-self::a[@hreflang]")[0].get("hreflang"):
                continue
            found.append(f"lang={lang!r} on <{context.tag}>: {node.strip()[:60]!r}")
        elif _untranslated(node):
            found.append(f"<{context.tag}>: {node.strip()[:60]!r}")
    for element in doc.xpath("/html/body//*"):
        for name in TRANSLATABLE_ATTRIBUTES:
            value = element.get(name)
            if value and _lang_of(element) == TAG and _untranslated(value):
                found.append(f"<{element.tag} {name}>: {value[:60]!r}")
    return found


def pseudo_pages(root: Path) -> list[Path]:
    return sorted((root / "output" / TAG).glob("*.html"))


def parse(path: Path):
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def test_pseudo_pages_are_built(pseudo_site: Path):
    assert [p.name for p in pseudo_pages(pseudo_site)] == ["dermatomyositis.html",
                                                          "hydration.html", "index.html"]
    for page in pseudo_pages(pseudo_site):
        doc = parse(page)
        assert (doc.get("lang"), doc.get("dir")) == (TAG, "ltr")


@pytest.mark.parametrize("name", ["hydration.html", "dermatomyositis.html", "index.html"])
def test_every_string_on_a_pseudo_page_is_translated(pseudo_site: Path, name: str):
    doc = parse(pseudo_site / "output" / TAG / name)
    assert leaks(doc) == []
    main_text = doc.xpath("//main")[0].text_content()
    assert re.search(r"[A-Z]{4}", main_text)


def test_citations_stay_in_english_and_say_so(pseudo_site: Path):
    doc = parse(pseudo_site / "output" / TAG / "hydration.html")
    citations = doc.xpath("//main//li[@lang]")
    assert len(citations) == 2
    for li in citations:
        assert (li.get("lang"), li.get("dir")) == ("en", "ltr")
        assert _is_citation(li)
        assert li.text_content() != li.text_content().upper()


def test_the_leak_detector_finds_untranslated_chrome_and_text(tmp_path):
    """Drop one interface string and one article string: both must be reported."""
    root = pseudo_project(tmp_path / "project")
    ui = root / "locales" / PSEUDO / "LC_MESSAGES" / "_site.po"
    article = root / "locales" / PSEUDO / "LC_MESSAGES" / "hydration.po"
    for path, msgid in ((ui, "Skip to main content"), (article, "Keep a bottle nearby")):
        po = polib.pofile(str(path))
        po.find(msgid).msgstr = ""
        po.save(str(path))
    done = run_pipeline(root, "build", "--no-audio")
    assert done.returncode == 0, done.stdout + done.stderr
    found = leaks(parse(root / "output" / TAG / "hydration.html"))
    assert any("Skip to main content" in f for f in found), found
    assert any("Keep a bottle nearby" in f for f in found), found
