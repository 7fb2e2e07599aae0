"""Bad input for ``pipeline build``: each problem is reported as ``path:line: severity: message
[code]``, the run exits 1, everything else is still built, and no page is ever half-written."""
from __future__ import annotations

import os
import re
from pathlib import Path

import lxml.html
import pytest

import pipeline.fsutil
from pipeline.cli import main
from regenerate_golden import copy_site_project, run_build

SLUG = "hydration"
ISSUE = re.compile(r"^(?P<path>[^:\s][^:]*?)(?::(?P<line>\d+))?: (?P<severity>error|warning): "
                   r"(?P<message>.+) \[(?P<code>[\w-]+)\]$")


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_site_project(tmp_path / "site")


def issues(stderr: str, code: str) -> list[dict]:
    return [m.groupdict() for line in stderr.splitlines()
            if (m := ISSUE.match(line)) and m.group("code") == code]


def po(root: Path, locale: str, domain: str = SLUG) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line == text)


def replace_line(path: Path, number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def page(root: Path, locale: str, name: str = f"{SLUG}.html") -> Path:
    return root / "output" / locale / name


def parse(path: Path):
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def assert_complete_pages(root: Path) -> None:
    """No temp files anywhere, and every page there is a whole page."""
    assert [p for p in root.rglob("*") if p.name.endswith(".tmp")] == []
    for path in (root / "output").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>"), path
        assert text.rstrip().endswith("</html>"), path
        assert parse(path).xpath("/html/body/footer"), path


# -- catalogs ----------------------------------------------------------------------------------

def test_a_locale_without_a_catalog_is_an_error_and_the_others_are_built(site):
    po(site, "es").unlink()
    done = run_build(site)
    code, out, err = done.returncode, done.stdout, done.stderr
    assert code == 1
    found = issues(err, "no-catalog")
    assert len(found) == 1, err
    assert found[0]["path"] == f"locales/es/LC_MESSAGES/{SLUG}.po"
    assert found[0]["line"] is None and found[0]["severity"] == "error"
    assert f"locales/es/LC_MESSAGES/{SLUG}.po: error: " in err
    assert not page(site, "es").exists()
    assert page(site, "ar").is_file() and page(site, "en").is_file()
    # the pages that exist do not offer the missing one
    hreflangs = parse(page(site, "ar")).xpath("//@hreflang")
    assert "es" not in hreflangs and "ar" in hreflangs
    assert "1 error(s)" in out
    assert_complete_pages(site)


def test_a_missing_interface_catalog_is_a_warning_and_the_chrome_is_marked_english(site):
    po(site, "ar", "_site").unlink()
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    found = issues(done.stderr, "no-catalog")
    assert [(f["path"], f["severity"]) for f in found] == [
        ("locales/ar/LC_MESSAGES/_site.po", "warning")]
    doc = parse(page(site, "ar"))
    assert english_chrome(doc, "Skip to main content")
    assert doc.xpath("//h1")[0].text_content() == "الحفاظ على ترطيب الجسم"


def english_chrome(doc, text: str) -> bool:
    """Whether interface ``text`` is shown in the skip link, marked as English."""
    skip = doc.xpath("//a[@href='#main']")[0]
    assert " ".join(skip.text_content().split()) == text
    holders = skip.xpath(f"descendant-or-self::*[@lang][normalize-space()='{text}']")
    return [(h.get("lang"), h.get("dir")) for h in holders][-1:] == [("en", "ltr")]


WHY_MSGSTR = 'msgstr "لماذا الماء مهم"'
WHY_MSGID = 'msgid "Why Water Matters"'


@pytest.mark.parametrize("anchor, broken, offset, what", [
    (WHY_MSGSTR, 'msgstr "لماذا الماء مهم', 0, "end-of-line within string"),
    (WHY_MSGID, 'msgid "Why Water Matters', 0, "end-of-line within string"),
    (WHY_MSGSTR, "msgstr لماذا الماء مهم", 0, "syntax error"),
    (WHY_MSGSTR, 'msgstr "لماذا \\q"', 0, "invalid control sequence"),
    (WHY_MSGSTR, WHY_MSGSTR + '\nmsgfoo "x"', 1, 'keyword "msgfoo" unknown'),
], ids=["unterminated-msgstr", "unterminated-msgid", "unquoted", "bad-escape",
        "unknown-keyword"])
def test_a_po_syntax_error_names_file_and_line_and_the_others_are_built(site, anchor, broken,
                                                                        offset, what):
    path = po(site, "ar")
    number = line_of(path, anchor)
    replace_line(path, number, broken)
    done = run_build(site)
    assert done.returncode == 1, done.stderr
    found = issues(done.stderr, "po-syntax")
    assert len(found) == 1, done.stderr
    assert found[0]["path"] == f"locales/ar/LC_MESSAGES/{SLUG}.po"
    assert found[0]["line"] == str(number + offset), (found[0], number + offset)
    assert found[0]["severity"] == "error"
    assert what in found[0]["message"]
    # the broken catalog is not half-used: no Arabic article page, the others are built
    assert not page(site, "ar").exists()
    assert page(site, "es").is_file() and page(site, "en").is_file()
    assert "ar" not in parse(page(site, "es")).xpath("//@hreflang")
    assert_complete_pages(site)


def test_a_syntax_error_in_the_interface_catalog(site):
    path = po(site, "es", "_site")
    number = line_of(path, 'msgstr "Saltar al contenido principal"')
    replace_line(path, number, 'msgstr "Saltar al contenido principal')
    done = run_build(site)
    assert done.returncode == 1
    found = issues(done.stderr, "po-syntax")
    assert [(f["path"], f["line"]) for f in found] == [("locales/es/LC_MESSAGES/_site.po",
                                                        str(number))]
    # the page is still built, its chrome in English and marked so
    doc = parse(page(site, "es"))
    assert english_chrome(doc, "Skip to main content")
    assert doc.xpath("//h1")[0].text_content() == "Mantenerse hidratado"


# -- templates ---------------------------------------------------------------------------------

ARTICLE_WITH_SYNTAX_ERROR = """\
{% extends "base.html" %}
{% block title %}{{ article.title|plain }}{% endblock %}
{% block main %}
<h1>{{ seg(article.title) }}</h1>
{% if %}
{% endblock %}
"""
ARTICLE_WITH_RUNTIME_ERROR = """\
{% extends "base.html" %}
{% block title %}{{ article.title|plain }}{% endblock %}
{% block main %}
<h1>{{ seg(article.title) }}</h1>
<p>{{ article.no_such_field.text }}</p>
{% endblock %}
"""


@pytest.mark.parametrize("template, line, kind", [
    (ARTICLE_WITH_SYNTAX_ERROR, 5, "template syntax"),
    (ARTICLE_WITH_RUNTIME_ERROR, 5, "template error"),
], ids=["syntax", "runtime"])
def test_a_broken_template_override_names_its_file_and_line(site, template, line, kind):
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(template, encoding="utf-8")
    done = run_build(site)
    assert done.returncode == 1
    found = issues(done.stderr, "template")
    # one message, not one per page
    assert [(f["path"], f["line"], f["severity"]) for f in found] == [
        ("templates/article.html", str(line), "error")], done.stderr
    assert found[0]["message"].startswith(kind)
    for locale in ("en", "es", "ar"):
        assert not page(site, locale).exists()
        assert page(site, locale, "index.html").is_file()
    assert (site / "output" / "index.html").is_file()
    assert_complete_pages(site)


def test_an_error_in_an_overridden_base_template_names_that_file(site):
    (site / "templates").mkdir()
    base = (Path(pipeline.fsutil.__file__).parent / "templates" / "base.html").read_text(
        encoding="utf-8")
    lines = base.split("\n")
    at = next(n for n, text in enumerate(lines) if "<footer" in text)
    lines.insert(at + 1, "<p>{{ no_such_name.attribute }}</p>")
    (site / "templates" / "base.html").write_text("\n".join(lines), encoding="utf-8")
    done = run_build(site)
    assert done.returncode == 1
    found = issues(done.stderr, "template")
    assert [(f["path"], f["line"]) for f in found] == [("templates/base.html", str(at + 2))], \
        done.stderr


# -- interrupted builds ------------------------------------------------------------------------

class OsWith:
    """The ``os`` module as pipeline.fsutil sees it, with some functions replaced: only the
    pipeline's own writes fail (Jinja's template cache, say, uses os.replace too)."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(os, name)


class Interrupt:
    """An ``os`` function that works ``allowed`` times, then raises (a crash mid-build):
    ``replace`` fails between a finished temp file and its rename, ``fsync`` while the data is
    still being written."""

    def __init__(self, name: str, allowed: int, error: BaseException):
        self.allowed = allowed
        self.error = error
        self.calls = 0
        self.real = getattr(os, name)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls > self.allowed:
            raise self.error
        return self.real(*args, **kwargs)


def _build_in_process(root: Path) -> int | None:
    try:
        return main(["-C", str(root), "-q", "build", "--no-audio"])
    except OSError:
        return None  # a disk error surfaces as an exception; the files are what matter here


ERRORS = [KeyboardInterrupt(), OSError(28, "No space left on device")]


@pytest.mark.parametrize("allowed", [0, 1, 4, 9])
@pytest.mark.parametrize("error", ERRORS, ids=["interrupt", "disk-full"])
@pytest.mark.parametrize("call", ["replace", "fsync"])
def test_an_interrupted_first_build_leaves_no_partial_page(site, monkeypatch, capsys, allowed,
                                                           error, call):
    fail = Interrupt(call, allowed, error)
    monkeypatch.setattr(pipeline.fsutil, "os", OsWith(**{call: fail}))
    code = _build_in_process(site)
    monkeypatch.undo()
    assert fail.calls == allowed + 1, "the build did not reach the failing write"
    assert code != 0
    if isinstance(error, KeyboardInterrupt):
        assert code == 130
    assert_complete_pages(site)
    # the next build finishes the job
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    assert_complete_pages(site)
    assert page(site, "ar").is_file()


@pytest.mark.parametrize("allowed", [0, 2, 4])
@pytest.mark.parametrize("error", ERRORS, ids=["interrupt", "disk-full"])
def test_an_interrupted_rebuild_keeps_each_page_whole_old_or_new(site, monkeypatch, capsys,
                                                                 allowed, error):
    assert run_build(site).returncode == 0
    old = {p: p.read_text(encoding="utf-8") for p in (site / "output").rglob("*.html")}
    # a change that rewrites every page: the site's name in every interface catalog
    for locale in ("es", "ar"):
        path = po(site, locale, "_site")
        path.write_text(path.read_text(encoding="utf-8").replace(
            'msgstr "Biblioteca de Salud"', 'msgstr "Biblioteca de la Salud"').replace(
            'msgstr "المكتبة الصحية"', 'msgstr "مكتبة الصحة"'), encoding="utf-8")
    source = site / "source" / f"{SLUG}.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "author: Rivera M", "author: Rivera M, Doe A"), encoding="utf-8")
    fail = Interrupt("replace", allowed, error)
    monkeypatch.setattr(pipeline.fsutil, "os", OsWith(replace=fail))
    code = _build_in_process(site)
    monkeypatch.undo()
    assert fail.calls == allowed + 1 and code != 0
    assert_complete_pages(site)
    unchanged = [p for p, text in old.items() if p.read_text(encoding="utf-8") == text]
    assert len(unchanged) >= len(old) - allowed  # at most one page per allowed write changed
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    assert "Rivera M, Doe A" in page(site, "es").read_text(encoding="utf-8")
    assert_complete_pages(site)
