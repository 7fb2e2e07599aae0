"""``pipeline check``: each kind of translation problem, planted in a catalog at a known line,
is reported as ``locales/<ll>/LC_MESSAGES/<slug>.po:LINE: severity: message [code]`` at the
line of its msgstr; equivalent forms in other scripts are not problems; severities come from
``[checks]``; ``--strict`` fails on warnings; the build refuses error-severity translations.

The sample project is tests/projects/quality/ (articles ``medicine`` and ``rest``; locales es,
ar, zh_Hans, ru). Its catalogs are made here with extract and update, then translated by editing
the PO text the way a translator with a text editor would, so every line is known.

The helpers at the top are shared with test_stats.py, test_review.py and
test_translator_files.py.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from catalog_helpers import issues
from conftest import cli, copy_project

LOCALES = ("es", "ar", "zh_Hans", "ru")
TAGS = {"es": "es", "ar": "ar", "zh_Hans": "zh-Hans", "ru": "ru"}

# -- shared helpers ----------------------------------------------------------------------------


def rel_po(locale: str, slug: str) -> str:
    return f"locales/{locale}/LC_MESSAGES/{slug}.po"


def po_file(root: Path, locale: str, slug: str) -> Path:
    return root / rel_po(locale, slug)


def po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def fill(path: Path, translations: dict[str, str]) -> None:
    """Type translations into a PO file as a translator with a text editor would: each
    ``msgid "X"`` / ``msgstr ""`` pair gets its msgstr; nothing else in the file moves."""
    text = path.read_text(encoding="utf-8")
    for msgid, msgstr in translations.items():
        old = f'msgid "{po_escape(msgid)}"\nmsgstr ""\n'
        assert text.count(old) == 1, f"{msgid!r} is not an empty entry in {path}"
        text = text.replace(old, f'msgid "{po_escape(msgid)}"\nmsgstr "{po_escape(msgstr)}"\n')
    path.write_text(text, encoding="utf-8")


def mark_fuzzy(path: Path, msgid: str) -> None:
    """Flag one entry fuzzy (a ``#, fuzzy`` line just above its msgid)."""
    text = path.read_text(encoding="utf-8")
    old = f'\nmsgid "{po_escape(msgid)}"\n'
    assert text.count(old) == 1, msgid
    path.write_text(text.replace(old, f'\n#, fuzzy{old}'), encoding="utf-8")


def msgstr_line(path: Path, msgid: str, encoding: str = "utf-8") -> int:
    """The 1-based line of the msgstr of the live entry ``msgid`` (what editors point at)."""
    lines = path.read_bytes().decode(encoding).lstrip("\ufeff").splitlines()
    starts = [n for n, line in enumerate(lines, 1) if line == f'msgid "{po_escape(msgid)}"']
    assert len(starts) == 1, f"{msgid!r} found on lines {starts} of {path}"
    return next(n for n, line in enumerate(lines, 1)
                if n > starts[0] and line.startswith("msgstr"))


def line_with(path: Path, needle: bytes) -> int:
    """The 1-based line of the only line holding ``needle`` (bytes, any encoding)."""
    found = [n for n, line in enumerate(path.read_bytes().split(b"\n"), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} on lines {found} of {path}"
    return found[0]


def words(msgid: str) -> int:
    """Source words of a msgid, counted here (inline tags are not words)."""
    return len(re.sub(r"</?(?:em|strong|code|a\d+)>|<br ?/>", " ", msgid).split())


def pot_msgids(root: Path, slug: str) -> list[str]:
    """The msgids of a template, read from its text (every msgid here fits on one line)."""
    text = (root / "locales" / f"{slug}.pot").read_text(encoding="utf-8")
    return [json.loads(m) for m in re.findall(r'^msgid (".+")$', text, re.M)]


def set_toml(root: Path, extra: str) -> None:
    path = root / "pipeline.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """``python -m pipeline -C root ARGS``; global options (--strict, -q) go first in ARGS."""
    return cli(root, *args)


def ok(root: Path, *args: str) -> str:
    code, out, err = run(root, *args)
    assert code == 0, f"pipeline {' '.join(args)} exited {code}:\n{out}\n{err}"
    return out + err


def summary_lines(err: str) -> dict[str, str]:
    """``<locale>: N error(s), M warning(s)`` lines of ``pipeline check``, by locale."""
    found: dict[str, str] = {}
    for line in err.splitlines():
        if m := re.fullmatch(r"(\w+): (\d+ error\(s\), \d+ warning\(s\))", line):
            assert m.group(1) not in found, f"two summaries for {m.group(1)}:\n{err}"
            found[m.group(1)] = m.group(2)
    return found


def parse_html(path: Path):
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def norm(text: str) -> str:
    return " ".join(text.split())


def nearest_lang(element) -> str | None:
    for node in [element, *element.iterancestors()]:
        if node.get("lang") is not None:
            return node.get("lang")
    return None


def elements_with_text(doc, text: str) -> list:
    """The innermost elements of <main> whose whole text is ``text``."""
    found = [el for el in doc.xpath("//main//*") if norm(el.text_content()) == norm(text)]
    return [el for el in found if not any(norm(c.text_content()) == norm(text) for c in el)]


# Correct translations: no check fires on any of them.
MEDICINE_ES = {
    "Taking Your Medicine": "Cómo tomar su medicina",
    "Take 10 mg of prednisone each morning.": "Tome 10 mg de prednisona cada mañana.",
    "Take 2.5 mg of folic acid on Sundays.": "Tome 2,5 mg de ácido fólico los domingos.",
    "Read the <em>label</em> before each dose.": "Lea la <em>etiqueta</em> antes de cada dosis.",
    "Ask the <a1>pharmacy</a1> for help.": "Pida ayuda en la <a1>farmacia</a1>.",
    "Write to help@example.org with your questions.":
        "Escriba a help@example.org con sus preguntas.",
    "More advice is at www.example.org/advice for you.":
        "Hay más consejos en www.example.org/advice para usted.",
    "Keep all of your medicines in one safe place.":
        "Guarde todas sus medicinas en un lugar seguro.",
    "Drink a full glass of water with each dose.": "Beba un vaso lleno de agua con cada dosis.",
    "Do you feel dizzy after a dose?": "¿Se siente mareado después de una dosis?",
    "Store the tablets in a cool and dry place away from children.":
        "Guarde las tabletas en un lugar fresco y seco, lejos de los niños.",
    "Dermatomyositis can affect the skin and the muscles.":
        "La dermatomiositis puede afectar la piel y los músculos.",
    "Side Effects": "Efectos secundarios",
    "Call your doctor if you have a fever.": "Llame a su médico si tiene fiebre.",
}
REST = {
    "es": {"Rest Well": "Descanse bien",
           "Sleep eight hours each night.": "Duerma ocho horas cada noche.",
           "Tips": "Consejos",
           "Keep the room dark": "Mantenga la habitación oscura",
           "Avoid strong coffee after noon": "Evite el café fuerte después del mediodía"},
    "ar": {"Rest Well": "استرح جيدا",
           "Sleep eight hours each night.": "نم ثماني ساعات كل ليلة.",
           "Tips": "نصائح",
           "Keep the room dark": "أبق الغرفة مظلمة",
           "Avoid strong coffee after noon": "تجنب القهوة القوية بعد الظهر"},
    "ru": {"Rest Well": "Хорошо отдыхайте",
           "Sleep eight hours each night.": "Спите восемь часов каждую ночь.",
           "Tips": "Советы",
           "Keep the room dark": "Держите комнату тёмной",
           "Avoid strong coffee after noon": "Избегайте крепкого кофе после полудня"},
    "zh_Hans": {"Rest Well": "好好休息",
                "Sleep eight hours each night.": "每晚睡八个小时。",
                "Tips": "提示",
                "Keep the room dark": "保持房间黑暗",
                "Avoid strong coffee after noon": "中午以后不要喝浓咖啡"},
}
GLOSSARY_ES = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
               '"Language: es\\n"\n\n'
               '#. Agreed with the medical reviewers\n'
               'msgid "dermatomyositis"\nmsgstr "dermatomiositis"\n')


@pytest.fixture(scope="session")
def quality_base(tmp_path_factory) -> Path:
    """tests/projects/quality with its templates and (empty) catalogs, made once."""
    root = copy_project("quality", tmp_path_factory.mktemp("quality-base") / "quality")
    ok(root, "extract")
    ok(root, "update")
    for locale in LOCALES:
        for slug in ("medicine", "rest", "_site"):
            assert po_file(root, locale, slug).is_file()
    return root


@pytest.fixture
def quality(tmp_path: Path, quality_base: Path) -> Path:
    """A private copy of the prepared quality project."""
    root = tmp_path / "quality"
    shutil.copytree(quality_base, root)
    return root


# -- each planted problem ----------------------------------------------------------------------

# (id, msgid, bad msgstr, code, severity, words the message must contain)
PROBLEMS = [
    ("markup-emphasis", "Read the <em>label</em> before each dose.",
     "Lea la etiqueta antes de cada dosis.", "markup", "error", ["<em>"]),
    ("markup-link", "Ask the <a1>pharmacy</a1> for help.",
     "Pida ayuda en la farmacia.", "markup", "error", ["<a1>"]),
    ("numbers-dose", "Take 10 mg of prednisone each morning.",
     "Tome 100 mg de prednisona cada mañana.", "numbers", "error", ["10", "100"]),
    ("urls-email", "Write to help@example.org with your questions.",
     "Escriba a ayuda@example.org con sus preguntas.", "urls", "error",
     ["ayuda@example.org"]),
    ("urls-web", "More advice is at www.example.org/advice for you.",
     "Hay más consejos en www.example.com/consejos para usted.", "urls", "error",
     ["www.example.com/consejos"]),
    ("unchanged", "Keep all of your medicines in one safe place.",
     "Keep all of your medicines in one safe place.", "unchanged", "warning", []),
    ("whitespace-leading", "Drink a full glass of water with each dose.",
     " Beba un vaso lleno de agua con cada dosis.", "whitespace", "warning", []),
    ("whitespace-trailing", "Drink a full glass of water with each dose.",
     "Beba un vaso lleno de agua con cada dosis. ", "whitespace", "warning", []),
    ("punctuation-question", "Do you feel dizzy after a dose?",
     "¿Se siente mareado después de una dosis", "punctuation", "warning", ["?"]),
    ("punctuation-period", "Call your doctor if you have a fever.",
     "Llame a su médico si tiene fiebre", "punctuation", "warning", []),
    ("length", "Store the tablets in a cool and dry place away from children.",
     "Guárdelas.", "length", "warning", []),
    ("glossary", "Dermatomyositis can affect the skin and the muscles.",
     "La dermatitis puede afectar la piel y los músculos.", "glossary", "error",
     ["dermatomiositis", "locales/es/glossary.po"]),
]


@pytest.mark.parametrize("msgid, msgstr, code, severity, words_in_message",
                         [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS])
def test_a_planted_problem_is_reported_at_its_msgstr_line(quality, msgid, msgstr, code,
                                                          severity, words_in_message):
    (quality / "locales" / "es" / "glossary.po").write_text(GLOSSARY_ES, encoding="utf-8")
    po = po_file(quality, "es", "medicine")
    fill(po, {msgid: msgstr})
    line = msgstr_line(po, msgid)
    code_, out, err = run(quality, "check", "-l", "es")
    found = issues(err)
    assert [(i["path"], i["line"], i["severity"], i["code"]) for i in found] == [
        (rel_po("es", "medicine"), str(line), severity, code)], err
    # the exact form of the line
    assert re.search(rf"^{re.escape(rel_po('es', 'medicine'))}:{line}: {severity}: .+ "
                     rf"\[{code}\]$", err, re.M), err
    for word in words_in_message:
        assert word in found[0]["message"], found[0]
    expected = "1 error(s), 0 warning(s)" if severity == "error" else "0 error(s), 1 warning(s)"
    assert summary_lines(err) == {"es": expected}, err
    assert code_ == (1 if severity == "error" else 0), err
    assert out.startswith("check: 1 locale(s); "), out


# (id, locale, msgid, msgstr): the same meaning written the way the language writes it
EQUIVALENT = [
    ("arabic-indic-digits", "ar", "Take 10 mg of prednisone each morning.",
     "تناول ١٠ ملغ من بريدنيزون كل صباح."),
    ("arabic-decimal-separator", "ar", "Take 2.5 mg of folic acid on Sundays.",
     "تناول ٢٫٥ ملغ من حمض الفوليك يوم الأحد."),
    ("decimal-comma", "es", "Take 2.5 mg of folic acid on Sundays.",
     "Tome 2,5 mg de ácido fólico los domingos."),
    ("chinese-full-stop", "zh_Hans", "Drink a full glass of water with each dose.",
     "每次服药时喝一整杯水。"),
    ("chinese-question-mark", "zh_Hans", "Do you feel dizzy after a dose?",
     "服药后您感到头晕吗？"),
    ("arabic-question-mark", "ar", "Do you feel dizzy after a dose?",
     "هل تشعر بالدوار بعد الجرعة؟"),
    ("spanish-question-marks", "es", "Do you feel dizzy after a dose?",
     "¿Se siente mareado después de una dosis?"),
    ("link-moved", "es", "Ask the <a1>pharmacy</a1> for help.",
     "Pida ayuda en la <a1>farmacia</a1>."),
    ("glossary-term-used", "es", "Dermatomyositis can affect the skin and the muscles.",
     "La dermatomiositis puede afectar la piel y los músculos."),
    ("glossary-term-capitalised", "es", "Dermatomyositis can affect the skin and the muscles.",
     "Dermatomiositis: puede afectar la piel y los músculos."),
    ("short-copy", "es", "Side Effects", "Side Effects"),
    ("chinese-is-short", "zh_Hans",
     "Store the tablets in a cool and dry place away from children.",
     "将药片存放在阴凉干燥处。"),
]


@pytest.mark.parametrize("locale, msgid, msgstr", [e[1:] for e in EQUIVALENT],
                         ids=[e[0] for e in EQUIVALENT])
def test_equivalent_forms_are_not_problems(quality, locale, msgid, msgstr):
    (quality / "locales" / "es" / "glossary.po").write_text(GLOSSARY_ES, encoding="utf-8")
    fill(po_file(quality, locale, "medicine"), {msgid: msgstr})
    code, out, err = run(quality, "check", "-l", locale)
    assert issues(err) == [], err
    assert summary_lines(err) == {locale: "0 error(s), 0 warning(s)"}, err
    assert code == 0, err


def test_every_locale_gets_a_summary_and_problems_point_at_their_lines(quality):
    (quality / "locales" / "es" / "glossary.po").write_text(GLOSSARY_ES, encoding="utf-8")
    planted = {p[1]: p[2] for p in PROBLEMS if p[0] != "whitespace-trailing"}
    po = po_file(quality, "es", "medicine")
    fill(po, planted)
    fill(po_file(quality, "ar", "medicine"), {
        "Take 10 mg of prednisone each morning.": "تناول ١٠ ملغ من بريدنيزون كل صباح.",
        "Do you feel dizzy after a dose?": "هل تشعر بالدوار بعد الجرعة؟"})
    fill(po_file(quality, "zh_Hans", "medicine"), {
        "Drink a full glass of water with each dose.": "每次服药时喝一整杯水。"})
    fill(po_file(quality, "ru", "rest"), REST["ru"])
    code, out, err = run(quality, "check")
    expected = sorted((rel_po("es", "medicine"), msgstr_line(po, p[1]), p[4], p[3])
                      for p in PROBLEMS if p[0] != "whitespace-trailing")
    found = sorted((i["path"], int(i["line"]), i["severity"], i["code"]) for i in issues(err))
    assert found == expected, err
    errors = sum(1 for e in expected if e[2] == "error")
    warnings = len(expected) - errors
    assert summary_lines(err) == {
        "es": f"{errors} error(s), {warnings} warning(s)",
        "ar": "0 error(s), 0 warning(s)",
        "zh_Hans": "0 error(s), 0 warning(s)",
        "ru": "0 error(s), 0 warning(s)"}, err
    assert code == 1
    assert out.startswith("check: 4 locale(s); "), out
    assert f"{errors} error(s), {warnings} warning(s)" in out


def test_fuzzy_and_untranslated_entries_are_not_checked(quality):
    po = po_file(quality, "es", "medicine")
    fill(po, {"Take 10 mg of prednisone each morning.": "Tome 100 mg de prednisona."})
    mark_fuzzy(po, "Take 10 mg of prednisone each morning.")
    code, _, err = run(quality, "check", "-l", "es")
    assert issues(err) == [] and code == 0, err


def test_strict_turns_warnings_into_a_failure(quality):
    fill(po_file(quality, "es", "medicine"), {
        "Keep all of your medicines in one safe place.":
            "Keep all of your medicines in one safe place."})
    code, _, err = run(quality, "check", "-l", "es")
    assert [i["code"] for i in issues(err)] == ["unchanged"] and code == 0, err
    code, _, err = run(quality, "--strict", "check", "-l", "es")
    assert [(i["severity"], i["code"]) for i in issues(err)] == [("warning", "unchanged")], err
    assert code == 1


def test_strict_passes_when_there_is_nothing_to_report(quality):
    fill(po_file(quality, "es", "medicine"), MEDICINE_ES)
    fill(po_file(quality, "es", "rest"), REST["es"])
    code, _, err = run(quality, "--strict", "check", "-l", "es")
    assert issues(err) == [] and code == 0, err


NUMBERS_MSGID = "Take 10 mg of prednisone each morning."
NUMBERS_BAD = "Tome 100 mg de prednisona cada mañana."
MARKUP_MSGID = "Read the <em>label</em> before each dose."
MARKUP_BAD = "Lea la etiqueta antes de cada dosis."


@pytest.mark.parametrize("setting, expected", [
    ('numbers = "warning"', "warning"),
    ('numbers = "off"', None),
    ('numbers = "error"', "error"),
])
def test_checks_table_sets_the_severity(quality, setting, expected):
    set_toml(quality, f"[checks]\n{setting}")
    po = po_file(quality, "es", "medicine")
    fill(po, {NUMBERS_MSGID: NUMBERS_BAD, MARKUP_MSGID: MARKUP_BAD})
    code, _, err = run(quality, "check", "-l", "es")
    found = {(int(i["line"]), i["code"]): i["severity"] for i in issues(err)}
    # the setting changes only the numbers check
    assert found.get((msgstr_line(po, MARKUP_MSGID), "markup")) == "error", err
    assert found.get((msgstr_line(po, NUMBERS_MSGID), "numbers")) == expected, err
    assert len(found) == (2 if expected else 1), err
    assert code == 1  # the markup error


def test_a_warning_severity_error_check_passes_without_strict(quality):
    set_toml(quality, '[checks]\nnumbers = "warning"')
    po = po_file(quality, "es", "medicine")
    fill(po, {NUMBERS_MSGID: NUMBERS_BAD})
    code, _, err = run(quality, "check", "-l", "es")
    assert [(int(i["line"]), i["severity"], i["code"]) for i in issues(err)] == [
        (msgstr_line(po, NUMBERS_MSGID), "warning", "numbers")], err
    assert code == 0
    code, _, err = run(quality, "--strict", "check", "-l", "es")
    assert code == 1, err


def test_an_unknown_severity_is_a_configuration_error(quality):
    set_toml(quality, '[checks]\nnumbers = "loud"')
    code, _, err = run(quality, "check")
    assert code == 1
    found = issues(err)
    assert len(found) == 1 and found[0]["path"] == "pipeline.toml", err
    assert "checks.numbers" in found[0]["message"], err


def test_an_unknown_locale_is_an_error(quality):
    code, _, err = run(quality, "check", "-l", "fr")
    assert code == 1
    assert any(i["path"] == "pipeline.toml" and "'fr'" in i["message"] for i in issues(err)), err


# -- the build obeys the checks ----------------------------------------------------------------

def built_with_a_wrong_dose(root: Path) -> tuple[Path, str, str]:
    po = po_file(root, "es", "medicine")
    fill(po, {**MEDICINE_ES, NUMBERS_MSGID: NUMBERS_BAD})
    code, out, err = run(root, "build", "--no-audio")
    assert code == 0, out + err  # nothing unreadable; the refusal is reported, not fatal
    return po, out, err


def test_the_build_shows_the_source_for_a_segment_that_fails_an_error_check(quality):
    po, out, err = built_with_a_wrong_dose(quality)
    page = quality / "output" / "es" / "medicine.html"
    assert page.is_file(), out + err  # 1 of 14 segments failing: still above the threshold
    doc = parse_html(page)
    assert doc.get("lang") == "es"
    html = page.read_text(encoding="utf-8")
    assert "100 mg" not in html  # the wrong dose is never published
    english = elements_with_text(doc, NUMBERS_MSGID)
    assert english, "the English text of the failing segment is not on the page"
    assert all(nearest_lang(el) == "en" for el in english), [
        lxml.html.tostring(el) for el in english]
    # the other segments are published in Spanish
    for msgid in ("Take 2.5 mg of folic acid on Sundays.",
                  "Call your doctor if you have a fever."):
        spanish = elements_with_text(doc, MEDICINE_ES[msgid])
        assert spanish and all(nearest_lang(el) == "es" for el in spanish), msgid
        assert not elements_with_text(doc, msgid)
    # reported at the msgstr line, and counted in the summary
    line = msgstr_line(po, NUMBERS_MSGID)
    reported = [i for i in issues(err) if i["code"] == "numbers"]
    assert [(i["path"], i["line"]) for i in reported] == [(rel_po("es", "medicine"),
                                                          str(line))], err
    assert "1 failing segment(s)" in out, out


def test_the_review_page_shows_the_failing_segment_with_its_reason_and_line(quality):
    po, _, _ = built_with_a_wrong_dose(quality)
    doc = parse_html(quality / "output" / "_review" / "es" / "medicine.html")
    rows = [[norm(td.text_content()) for td in tr.xpath("./td")]
            for tr in doc.xpath("//table//tr[td]")]
    row = next(r for r in rows if r[0] == NUMBERS_MSGID)
    assert NUMBERS_BAD in row[1]  # the refused translation, for the translator to fix
    assert row[2].startswith("failing"), row
    assert "numbers differ" in row[2] and "100" in row[2], row
    assert f"{rel_po('es', 'medicine')}:{msgstr_line(po, NUMBERS_MSGID)}" in row[3], row
    others = [r for r in rows if r[0] != NUMBERS_MSGID]
    assert others and all(r[2] == "translated" for r in others), others


def test_a_check_set_to_warning_no_longer_keeps_the_text_off_the_page(quality):
    set_toml(quality, '[checks]\nnumbers = "warning"')
    _, out, _ = built_with_a_wrong_dose(quality)
    doc = parse_html(quality / "output" / "es" / "medicine.html")
    assert elements_with_text(doc, NUMBERS_BAD)
    assert not elements_with_text(doc, NUMBERS_MSGID)
    assert "failing segment" not in out, out


def test_the_build_refuses_a_glossary_error(quality):
    (quality / "locales" / "es" / "glossary.po").write_text(GLOSSARY_ES, encoding="utf-8")
    msgid = "Dermatomyositis can affect the skin and the muscles."
    fill(po_file(quality, "es", "medicine"),
         {**MEDICINE_ES, msgid: "La dermatitis puede afectar la piel y los músculos."})
    code, out, err = run(quality, "build", "--no-audio")
    assert code == 0, out + err
    doc = parse_html(quality / "output" / "es" / "medicine.html")
    assert [nearest_lang(el) for el in elements_with_text(doc, msgid)] == ["en"]
    assert "dermatitis puede" not in (quality / "output" / "es" / "medicine.html").read_text(
        encoding="utf-8")
    assert "1 failing segment(s)" in out, out


# -- update --check ----------------------------------------------------------------------------

def test_update_check_fails_without_writing_when_a_source_changed(quality):
    fill(po_file(quality, "es", "rest"), REST["es"])
    ok(quality, "update")
    ok(quality, "update", "--check")
    source = quality / "source" / "rest.md"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Sleep eight hours each night.", "Sleep eight hours every night."), encoding="utf-8")
    ok(quality, "extract")
    catalogs = sorted((quality / "locales").rglob("*.po"))
    before = {p: p.read_bytes() for p in catalogs}
    code, out, err = run(quality, "update", "--check")
    assert code == 1, out + err
    stale = {i["path"] for i in issues(err) if i["severity"] == "error"}
    assert stale == {rel_po(loc, "rest") for loc in LOCALES}, err
    assert {p: p.read_bytes() for p in catalogs} == before  # nothing written
    assert sorted((quality / "locales").rglob("*.po")) == catalogs
    ok(quality, "update")
    assert po_file(quality, "es", "rest").read_bytes() != before[po_file(quality, "es", "rest")]
    code, out, err = run(quality, "update", "--check")
    assert code == 0 and issues(err) == [], out + err
