"""Text safety (issue 12): a msgstr or a source string must never put invisible controls into
an output, nor make a reader see another number than the source's.

Red-team findings, each with near variants: a bidi override around a dose ("Tome \\u202e12\\u202c
mg" shows "21 mg"), digits of another script on a Spanish page, swapped doses and re-grouped
numbers, and NUL / C0 / C1 / noncharacters / line separators in a msgstr (which also made
polib lose a character or the whole catalog). The rules are unit-tested on pipeline.textsafety
and pipeline.numbers; then the quality project is checked and built with hostile msgstrs.
"""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from catalog_helpers import issues
from pipeline.catalogs import Translation, read_catalog
from pipeline.checks import Checker
from pipeline.model import Location, Role, Segment, Status
from pipeline.numbers import compare, numbers_in
from pipeline.textsafety import (accepted_digits, bidi_controls, clean, control_chars,
                                 foreign_digits, source_safety, visible)
from pipeline.verdict import publish_verdict
from test_checks import (MEDICINE_ES, elements_with_text, fill, nearest_lang, ok, parse_html,
                         po_file, quality, quality_base, rel_po, run,  # noqa: F401
                         set_toml, summary_lines)
from test_review import rows

DOSE = "Take 10 mg of prednisone each morning."
FOLIC = "Take 2.5 mg of folic acid on Sundays."
KEEP = "Keep all of your medicines in one safe place."
DRINK = "Drink a full glass of water with each dose."
STORE = "Store the tablets in a cool and dry place away from children."
DIZZY = "Do you feel dizzy after a dose?"
FEVER = "Call your doctor if you have a fever."

def msgstr_line(path: Path, msgid: str) -> int:
    """The line of an entry's msgstr, lines counted at "\n" only, as msgfmt counts them
    (str.splitlines() would also break at the U+2028 this file plants)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f'msgid "{msgid}"')
    return next(n for n, line in enumerate(lines[start:], start + 1)
                if line.startswith("msgstr"))


# Everything that must never reach an output file.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ufdd0-\ufdef"
                       "\u202a-\u202e\u2066-\u2069]")

# -- control-chars -----------------------------------------------------------------------------

UNSAFE = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\x9f", "\x0b", "\x0c", "\r",
          "\x1c", "\u2028", "\u2029", "\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe",
          "\U0010ffff", "\u206e", "\U000e0041"]
HARMLESS = ["\t", "\n", "\u00a0", "\u200d", "\u00ad", "\u200b", "é", "\u0665", "\ufffd"]


@pytest.mark.parametrize("char", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_are_found_and_named(char):
    found = control_chars(f"Dosis de{char}prueba")
    assert len(found) == 1 and f"U+{ord(char):04X}" in found[0], found
    assert char not in found[0]  # named, never quoted raw
    assert char not in clean(f"Dosis de{char}prueba")
    assert visible(f"a{char}b") == f"a<U+{ord(char):04X}>b"


@pytest.mark.parametrize("char", HARMLESS, ids=lambda c: f"U+{ord(c):04X}")
def test_whitespace_joiners_and_letters_are_not_control_characters(char):
    assert control_chars(f"Dosis de{char}prueba") == []
    assert clean(f"a{char}b") == f"a{char}b"


def test_a_line_separator_becomes_a_space_when_cleaned():
    assert clean("Dosis de\u2028prueba\x85x\x0cy") == "Dosis de prueba x y"
    assert clean("a\x00b\u202ec\u202cd") == "abcd"


# -- bidi --------------------------------------------------------------------------------------

# (id, text, direction, expected: None | "warning" | "error")
BIDI = [
    ("override-around-dose", "Tome \u202e12\u202c mg al día.", "ltr", "error"),
    ("override-unclosed", "Tome \u202e12 mg al día.", "ltr", "error"),
    ("override-unclosed-far-from-number", "Tome \u202ela dosis cada día.", "ltr", "error"),
    ("override-around-unit", "Tome 12 \u202emg\u202c al día.", "ltr", "error"),
    ("override-scope-reaches-number", "Tome \u202ela dosis de 12\u202c mg.", "ltr", "error"),
    ("embedding-before-number", "Tome \u202b\u202c12 mg.", "ltr", "error"),
    ("isolate-around-number", "Tome \u206712 mg\u2069 al día.", "ltr", "error"),
    ("isolate-inside-tags", "Tome <em>\u2067</em>12<em>\u2069</em> mg.", "ltr", "error"),
    ("override-at-placeholder", "Descargar ({size}\u202e)\u202c", "ltr", "error"),
    ("rlm-in-a-range", "Tome 5\u200f-10 mg.", "ltr", "error"),
    ("rlm-inside-a-number-rtl", "تناول 5\u200f-10 ملغ.", "rtl", "error"),
    ("balanced-override-away-from-numbers", "Tome \u202ela dosis\u202c de 12 mg.", "ltr",
     "warning"),
    ("balanced-isolate-around-a-name", "Tome \u2066Aspirin\u2069 cada día.", "ltr", "warning"),
    ("stray-pdf", "Tome la dosis\u202c cada día.", "ltr", "warning"),
    ("rlm-in-ltr-text", "Tome la\u200f dosis.", "ltr", "warning"),
    ("rlm-in-rtl-text", "هل تشعر\u200f بالدوار بعد الجرعة؟", "rtl", None),
    ("rlm-before-number-rtl", "تناول \u200f10 ملغ.", "rtl", None),
    ("alm-in-rtl-text", "تناول\u061c الدواء.", "rtl", None),
    ("no-controls", "Tome 12 mg al día.", "ltr", None),
]


@pytest.mark.parametrize("text, direction, expected", [b[1:] for b in BIDI],
                         ids=[b[0] for b in BIDI])
def test_bidi_controls_are_errors_at_numbers_and_warnings_elsewhere(text, direction,
                                                                    expected):
    found = bidi_controls(text, direction)
    level = None if not found else "error" if any(s for s, _ in found) else "warning"
    assert level == expected, found
    assert not any(FORBIDDEN.search(message) for _, message in found)


# -- digits ------------------------------------------------------------------------------------

# (id, locale, text, configured, ok)
DIGITS = [
    ("es-arabic-indic", "es", "Tome \u0665\u0660 mg", None, False),
    ("es-ascii", "es", "Tome 50 mg", None, True),
    ("zh-full-width", "zh_Hans", "服用１２毫克", None, False),
    ("vi-math-bold", "vi", "Uống \U0001d7cf\U0001d7d0 mg", None, False),
    ("ru-devanagari", "ru", "Примите \u0967\u0968 мг", None, False),
    ("ht-ascii", "ht", "Pran 12 mg", None, True),
    ("ar-arabic-indic", "ar", "تناول ١٠ ملغ", None, True),
    ("ar-ascii", "ar", "تناول 10 ملغ", None, True),
    ("ar-persian", "ar", "تناول ۱۰ ملغ", None, False),
    ("fa-persian", "fa", "۱۰ میلی‌گرم", None, True),
    ("fa-arabic-indic", "fa", "١٠ میلی‌گرم", None, False),
    ("ur-persian", "ur", "۱۰ ملی گرام", None, True),
    ("ar-configured-latin-only", "ar", "تناول ١٠ ملغ", ("latn",), False),
    ("es-configured-arabic", "es", "Tome \u0665\u0660 mg", ("latn", "arab"), True),
]


@pytest.mark.parametrize("locale, text, configured, ok_", [d[1:] for d in DIGITS],
                         ids=[d[0] for d in DIGITS])
def test_digits_must_be_of_a_script_the_locale_reads(locale, text, configured, ok_):
    found = foreign_digits(text, accepted_digits(locale, configured))
    assert (found == []) is ok_, found


def test_digits_quoted_from_the_source_are_accepted():
    assert foreign_digits("Escriba «٣»", accepted_digits("es"), source="Write “٣”") == []


# -- numbers -----------------------------------------------------------------------------------

# (id, source, target, target locale, expected codes)
NUMBERS = [
    ("same", "Take 12 mg daily.", "Tome 12 mg al día.", "es", []),
    ("decimal-comma", "Take 2.5 mg daily.", "Tome 2,5 mg al día.", "es", []),
    ("decimal-point-in-spanish", "Take 2.5 mg daily.", "Tome 2.5 mg al día.", "es", []),
    ("thousands-regrouped", "Take 1,000 mg.", "Tome 1.000 mg.", "es", []),
    ("thousands-ungrouped", "Take 1,000 mg.", "Tome 1000 mg.", "es", []),
    ("thousands-with-decimal-comma", "Take 1,000 mg.", "Tome 1,000 mg.", "es", ["numbers"]),
    ("thousands-with-decimal-comma-ru", "Take 1,000 mg.", "Примите 1,000 мг.", "ru",
     ["numbers"]),
    ("thousands-spaced-ru", "Take 1,000 mg.", "Примите 1 000 мг.", "ru", []),
    ("thousands-nbsp-ru", "Take 1,000 mg.", "Примите 1\u00a0000 мг.", "ru", []),
    ("grouped-decimal", "Take 2.500 mg.", "Tome 2.500 mg.", "es", ["numbers"]),
    ("arabic-indic", "Take 10 mg.", "تناول ١٠ ملغ.", "ar", []),
    ("arabic-decimal", "Take 2.5 mg.", "تناول ٢٫٥ ملغ.", "ar", []),
    ("changed-dose", "Take 10 mg.", "Tome 100 mg.", "es", ["numbers"]),
    ("swapped-doses", "Take 20 mg in the morning and 10 mg at night.",
     "Tome 10 mg por la mañana y 20 mg por la noche.", "es", ["numbers"]),
    ("swapped-doses-unit-in-words", "Take 20 mg in the morning and 10 mg at night.",
     "Tome 10 miligramos por la mañana y 20 miligramos por la noche.", "es", ["numbers"]),
    ("swapped-doses-chinese", "Take 20 mg in the morning and 10 mg at night.",
     "早上服用10毫克，晚上服用20毫克。", "zh_Hans", ["numbers"]),
    ("units-swapped", "Mix 10 mg in 5 ml.", "Mezcle 10 ml en 5 mg.", "es", ["numbers"]),
    ("doses-kept-in-order", "Take 20 mg in the morning and 10 mg at night.",
     "Tome 20 mg por la mañana y 10 mg por la noche.", "es", []),
    ("reordered-different-units", "Take 2 tablets of 5 mg.", "Tome 5 mg en 2 comprimidos.",
     "es", []),
    ("chinese-word-order", "Take 2 tablets 3 times a day.", "每天3次，每次2片。", "zh_Hans",
     ["number-order"]),
    ("swapped-counts", "Take 2 tablets 3 times a day.", "Tome 3 comprimidos 2 veces al día.",
     "es", ["number-order"]),
    ("range", "Take 1-2 tablets.", "Tome 1–2 comprimidos.", "es", []),
    ("missing", "Take 10 mg twice, 8 hours apart.", "Tome 10 mg dos veces.", "es",
     ["numbers"]),
]


@pytest.mark.parametrize("source, target, locale, codes", [n[1:] for n in NUMBERS],
                         ids=[n[0] for n in NUMBERS])
def test_numbers_are_read_in_each_locale_and_doses_keep_their_order(source, target, locale,
                                                                    codes):
    found = compare(numbers_in(source, "en"), numbers_in(target, locale))
    assert [code for code, _ in found] == codes, found


def test_a_regrouped_number_says_how_it_was_read():
    (code, message), = compare(numbers_in("Take 1,000 mg.", "en"),
                               numbers_in("Tome 1,000 mg.", "es"))
    assert "1,000 (= 1000)" in message and "1,000 (= 1)" in message, message


# -- one verdict -------------------------------------------------------------------------------

def test_unsafe_characters_are_refused_even_without_a_checker_or_at_severity_off():
    where = Location("locales/es/LC_MESSAGES/x.po", 12)
    for msgstr in ("Tome 12 mg\x00 al día.", "Tome \u202e12\u202c mg al día."):
        verdict = publish_verdict("Take 12 mg daily.", Translation(msgstr, False, 12), where,
                                  None)
        assert verdict.status is Status.INVALID, msgstr
        checker = Checker({"control-chars": "off", "bidi": "off"}, locale="es")
        verdict = publish_verdict("Take 12 mg daily.", Translation(msgstr, False, 12), where,
                                  checker)
        assert verdict.status is Status.INVALID and not FORBIDDEN.search(verdict.reason)


def test_source_segments_are_cleaned_and_reported_at_their_line():
    where = Location("source/x.md", 7)
    segment = Segment("Take \u202e12\u202c mg\x01 daily.", Role.PARAGRAPH, where, "intro")
    shown, found = source_safety(segment, "ltr")
    assert shown.text == "Take 12 mg daily."
    assert sorted((str(i.location), i.severity.value, i.code) for i in found) == [
        ("source/x.md:7", "error", "bidi"), ("source/x.md:7", "error", "control-chars")]
    fine = Segment("Take 12 mg daily.", Role.PARAGRAPH, where, "intro")
    assert source_safety(fine, "ltr") == (fine, [])


# -- reading catalogs --------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\r"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_a_msgstr_keeps_every_character_and_later_lines_stay_right(tmp_path, char):
    po = tmp_path / "x.po"
    po.write_bytes(('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    f'msgid "Test dose"\nmsgstr "Dosis de{char}prueba"\n\n'
                    'msgid "Other"\nmsgstr "Otro"\n').encode("utf-8"))
    catalog = read_catalog(po, "x.po")
    assert catalog.entries["Test dose"].msgstr == f"Dosis de{char}prueba"
    assert (catalog.entries["Test dose"].line, catalog.entries["Other"].line) == (6, 9)


# -- pipeline check and build on hostile catalogs ----------------------------------------------

# msgid -> (hostile msgstr, code, severity in `check`)
HOSTILE_ES = {
    DOSE: ("Tome \u202e10\u202c mg de prednisona cada mañana.", "bidi", "error"),
    FOLIC: ("Tome \u0662,\u0665 mg de ácido fólico los domingos.", "digits", "error"),
    KEEP: ("Guarde todas sus medicinas en un\u2028lugar seguro.", "control-chars", "error"),
    DRINK: ("Beba un vaso lleno\x0cde agua con cada dosis.", "control-chars", "error"),
    STORE: ("Guarde las tabletas en un lugar\ufffe fresco y seco, lejos de los niños.",
            "control-chars", "error"),
    DIZZY: ("¿Se siente mareado\x00 después de una dosis?", "control-chars", "error"),
}
ARABIC = {DOSE: "تناول ١٠ ملغ من بريدنيزون كل صباح.", DIZZY: "هل تشعر\u200f بالدوار بعد الجرعة؟"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, quality_base: Path) -> dict:
    root = tmp_path_factory.mktemp("textsafety") / "quality"
    shutil.copytree(quality_base, root)
    set_toml(root, "[build]\npublish_threshold = 0")
    fill(po_file(root, "es", "medicine"),
         {**MEDICINE_ES, **{k: v[0] for k, v in HOSTILE_ES.items()}})
    fill(po_file(root, "ar", "medicine"), ARABIC)
    fill(po_file(root, "es", "_site"), {"Skip to main content": "Saltar al\x00 contenido"})
    code, out, err = run(root, "check", "-l", "es", "-l", "ar")
    built = run(root, "build", "--no-audio")
    stats = run(root, "stats", "--format", "json", "-l", "es")
    return {"root": root, "check": (code, out, err), "build": built, "stats": stats}


def test_check_reports_each_at_its_msgstr_line(hostile):
    root = hostile["root"]
    code, out, err = hostile["check"]
    po = po_file(root, "es", "medicine")
    expected = sorted((rel_po("es", "medicine"), msgstr_line(po, msgid), severity, rule)
                      for msgid, (_, rule, severity) in HOSTILE_ES.items())
    expected.append((rel_po("es", "_site"), msgstr_line(po_file(root, "es", "_site"),
                                                        "Skip to main content"), "error",
                     "control-chars"))
    found = sorted((i["path"], int(i["line"]), i["severity"], i["code"]) for i in issues(err))
    assert found == sorted(expected), err
    assert summary_lines(err) == {"es": f"{len(expected)} error(s), 0 warning(s)",
                                  "ar": "0 error(s), 0 warning(s)"}, err
    assert code == 1
    assert not FORBIDDEN.search(err + out)


def test_the_build_keeps_the_catalog_and_shows_the_source_for_each_refused_msgstr(hostile):
    root = hostile["root"]
    code, out, err = hostile["build"]
    assert code == 0, out + err
    doc = parse_html(root / "output" / "es" / "medicine.html")
    for msgid in HOSTILE_ES:
        shown = elements_with_text(doc, msgid)
        assert shown and all(nearest_lang(el) == "en" for el in shown), msgid
    # the rest of the catalog is published, after the entries that used to break it
    for msgid in (FEVER, "Side Effects", "Ask the <a1>pharmacy</a1> for help."):
        text = re.sub(r"</?a1>", "", MEDICINE_ES[msgid])
        assert [nearest_lang(el) for el in elements_with_text(doc, text)] == ["es"], msgid
    arabic = parse_html(root / "output" / "ar" / "medicine.html")
    for msgstr in ARABIC.values():
        assert [nearest_lang(el) for el in elements_with_text(arabic, msgstr)] == ["ar"]
    assert f"{len(HOSTILE_ES)} failing segment(s)" in out, out
    po = po_file(root, "es", "medicine")
    refused = {(int(i["line"]), i["code"]) for i in issues(err)
               if i["path"] == rel_po("es", "medicine")}
    assert refused == {(msgstr_line(po, m), v[1]) for m, v in HOSTILE_ES.items()}, err
    assert not FORBIDDEN.search(out + err)


def test_no_output_file_holds_an_unsafe_character(hostile):
    files = [p for p in (hostile["root"] / "output").rglob("*")
             if p.suffix in (".html", ".json", ".css")]
    assert len(files) >= 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not FORBIDDEN.search(text), (path, FORBIDDEN.search(text))
    manifest = json.loads((hostile["root"] / "output" / "manifest.json").read_text("utf-8"))
    assert manifest


def test_the_review_page_shows_refused_controls_written_out(hostile):
    found = rows(hostile["root"] / "output" / "_review" / "es" / "medicine.html")
    row = found[DOSE]
    assert row["translation"].text_content() == "Tome <U+202E>10<U+202C> mg de prednisona " \
                                                "cada mañana."
    assert row["status"].startswith("failing") and "U+202E" in row["status"], row["status"]
    keep = found[KEEP]["translation"].text_content()
    assert keep == "Guarde todas sus medicinas en un<U+2028>lugar seguro.", keep


def test_stats_count_the_same_strings_as_failing(hostile):
    out = hostile["stats"][1]
    row = next(r for r in json.loads(out[:out.rindex("]") + 1]) if r["article"] == "medicine")
    assert row["failing"] == len(HOSTILE_ES), row
    assert row["translated"] == row["strings"] - len(HOSTILE_ES), row


def test_the_voice_gets_no_control_character(hostile):
    from pipeline.checks import checker_for
    from pipeline.stages.read import read_sources
    from pipeline.config import load_config
    from pipeline.report import Reporter
    from pipeline.stages.audio_plan import speech_parts
    from pipeline.stages.localize import localize

    root = hostile["root"]
    config = load_config(root)
    article = next(a for a in read_sources(config, Reporter(io.StringIO(), quiet=True))
                   if a.slug == "medicine")
    catalog = read_catalog(po_file(root, "es", "medicine"), rel_po("es", "medicine"))
    page = localize(article, "es", catalog, lambda issue: None, checker_for(config, "es"))
    spoken = [part.text for section in page.sections for part in speech_parts(section)]
    assert "Take 10 mg of prednisone each morning." in spoken, spoken
    assert not [text for text in spoken if FORBIDDEN.search(text)]


def test_interface_text_with_a_control_character_is_shown_in_english(hostile):
    page = (hostile["root"] / "output" / "es" / "medicine.html").read_text(encoding="utf-8")
    assert "Skip to main content" in page and "Saltar al" not in page


# -- settings ----------------------------------------------------------------------------------

def _check(root: Path, locale: str, translations: dict[str, str]) -> list[tuple[str, str]]:
    fill(po_file(root, locale, "medicine"), translations)
    _, _, err = run(root, "check", "-l", locale)
    return sorted((i["severity"], i["code"]) for i in issues(err))


def test_control_chars_and_bidi_at_a_number_cannot_be_turned_off(quality):
    set_toml(quality, '[checks]\n"control-chars" = "off"\nbidi = "off"')
    found = _check(quality, "es", {DOSE: HOSTILE_ES[DOSE][0], DIZZY: HOSTILE_ES[DIZZY][0],
                                   KEEP: "Guarde \u2066todas\u2069 sus medicinas en un lugar "
                                         "seguro."})
    assert found == [("error", "bidi"), ("error", "control-chars")]


def test_bidi_away_from_numbers_is_a_warning_the_settings_can_raise(quality):
    balanced = "Guarde \u2066todas\u2069 sus medicinas en un lugar seguro."
    assert _check(quality, "es", {KEEP: balanced}) == [("warning", "bidi")]
    set_toml(quality, '[checks]\nbidi = "error"')
    assert _check(quality, "es", {}) == [("error", "bidi")]


def test_digit_systems_can_be_listed_per_locale(quality):
    assert _check(quality, "ar", {DOSE: ARABIC[DOSE]}) == []
    set_toml(quality, '[checks.digits]\nar = ["latn"]')
    assert _check(quality, "ar", {}) == [("error", "digits")]


@pytest.mark.parametrize("table, key", [
    ('ar = ["latn", "roman"]', "checks.digits.ar"),
    ('fr = ["latn"]', "checks.digits.fr"),
    ('ar = "arab"', "checks.digits.ar"),
    ("ar = []", "checks.digits.ar"),
])
def test_a_wrong_digits_setting_is_a_configuration_error(quality, table, key):
    set_toml(quality, f"[checks.digits]\n{table}")
    code, _, err = run(quality, "check")
    found = issues(err)
    assert code == 1 and len(found) == 1, err
    assert found[0]["path"] == "pipeline.toml" and found[0]["code"] == "config-key", err
    assert found[0]["message"].startswith(key), err


def test_number_order_is_a_warning_and_swapped_doses_an_error(quality):
    source = quality / "source" / "medicine.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace(FEVER, f"{FEVER}\n\nTake 20 mg at 8 and 10 mg at 20."),
                      encoding="utf-8")
    ok(quality, "extract")
    ok(quality, "update")
    msgid = "Take 20 mg at 8 and 10 mg at 20."
    assert _check(quality, "es", {msgid: "Tome 10 mg a las 8 y 20 mg a las 20."}) == [
        ("error", "numbers")]
    po = po_file(quality, "es", "medicine")
    po.write_text(po.read_text(encoding="utf-8").replace(
        "Tome 10 mg a las 8 y 20 mg a las 20.", "A las 8 tome 20 mg y a las 20, 10 mg."),
        encoding="utf-8")
    assert _check(quality, "es", {}) == []
    po.write_text(po.read_text(encoding="utf-8").replace(
        "A las 8 tome 20 mg y a las 20, 10 mg.", "Tome 20 mg a las 20 y 10 mg a las 8."),
        encoding="utf-8")
    assert _check(quality, "es", {}) == [("warning", "number-order")]


# -- source text -------------------------------------------------------------------------------

def test_unsafe_source_text_is_reported_at_its_line_and_never_published(quality):
    source = quality / "source" / "medicine.md"
    text = source.read_text(encoding="utf-8")
    text = text.replace(DOSE, "Take \u202e10\u202c mg of prednisone each morning.")
    text = text.replace(KEEP, "Keep all\x01 of your medicines in one\ufffe safe place.")
    text = text.replace("title: Taking Your Medicine",
                        "title: Taking Your Medicine\nauthor: Rivera\ufdd0 M")
    source.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    ok(quality, "extract")
    ok(quality, "update")
    set_toml(quality, "[build]\npublish_threshold = 0")
    code, out, err = run(quality, "build", "--no-audio")
    assert code == 1, out + err  # content errors, but every page is made
    found = sorted((i["path"], int(i["line"]), i["code"]) for i in issues(err))
    assert found == sorted([
        ("source/medicine.md", lines.index("author: Rivera\ufdd0 M") + 1, "control-chars"),
        ("source/medicine.md", next(n for n, l in enumerate(lines, 1) if "prednisone" in l),
         "bidi"),
        ("source/medicine.md", next(n for n, l in enumerate(lines, 1) if "Keep all" in l),
         "control-chars")]), err
    for page in ("en/medicine.html", "es/medicine.html", "manifest.json"):
        text = (quality / "output" / page).read_text(encoding="utf-8")
        assert not FORBIDDEN.search(text), (page, FORBIDDEN.search(text))
    doc = parse_html(quality / "output" / "en" / "medicine.html")
    assert elements_with_text(doc, "Take 10 mg of prednisone each morning.")
    assert elements_with_text(doc, "Keep all of your medicines in one safe place.")
