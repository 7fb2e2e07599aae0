"""PO files as translators' tools really write them (Poedit on Windows, Lokalize, Weblate,
old editors) load in ``build``, ``check``, ``stats`` and ``update``: CRLF line ends, a UTF-8 BOM,
legacy charsets (CP1251 Russian, ISO-8859-1 Spanish) declared in the header, plural entries,
msgctxt entries, obsolete entries with ``#~|``, custom headers. After ``update`` the file is UTF-8
with LF and every translation is the translator's text, character for character.

Files that cannot be read (bytes that are not valid in the declared charset, a charset nobody
knows) get an error naming the file and line, exit 1, and the other locales are still built.
"""
from __future__ import annotations

import codecs
import json
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

from catalog_helpers import issues
from test_checks import (REST, TAGS, elements_with_text, fill, line_with, msgstr_line,  # noqa
                         nearest_lang, ok, parse_html, po_escape, po_file, quality,
                         quality_base, rel_po, run)

PLURALS = {
    "es": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
          "n%100>=11 ? 4 : 5);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
          "(n%100<10 || n%100>=20) ? 1 : 2);",
    "zh_Hans": "nplurals=1; plural=0;",
}
# Translations with characters that only survive a correct conversion (ё, «», —, ñ, ¿, ü).
TEXTS = {
    "es": {"Rest Well": "Descanse bien",
           "Sleep eight hours each night.": "Duerma ocho horas cada noche",  # no period: warning
           "Tips": "Consejos",
           "Keep the room dark": "Mantenga la habitación oscura (¿sin luz? sí)",
           "Avoid strong coffee after noon":
               "Evite el café fuerte después del mediodía (ni güisqui)"},
    "ru": {"Rest Well": "Хорошо отдыхайте",
           "Sleep eight hours each night.": "Спите восемь часов каждую ночь",  # no period
           "Tips": "Советы",
           "Keep the room dark": "Держите комнату тёмной — «без света»",
           "Avoid strong coffee after noon": "Избегайте крепкого кофе после полудня"},
    "ar": {"Rest Well": "استرح جيدا",
           "Sleep eight hours each night.": "نم ثماني ساعات كل ليلة",  # no period
           "Tips": "نصائح",
           "Keep the room dark": "أبق الغرفة مظلمة",
           "Avoid strong coffee after noon": "تجنب القهوة القوية بعد الظهر"},
    "zh_Hans": {"Rest Well": "好好休息",
                "Sleep eight hours each night.": "每晚睡八个小时",  # no full stop
                "Tips": "提示",
                "Keep the room dark": "保持房间黑暗",
                # long: Weblate wraps it over several lines
                "Avoid strong coffee after noon": "中午以后不要喝浓咖啡，也不要喝浓茶，"
                "因为咖啡因会让你在晚上很难入睡，而且睡眠质量也会变差"},
}
WARNED = "Sleep eight hours each night."  # each file leaves the period off this one


@dataclass(frozen=True)
class Variant:
    id: str
    locale: str
    charset: str = "UTF-8"  # what the header says and the bytes are in
    bom: bool = False
    crlf: bool = False
    headers: tuple[str, ...] = ()  # custom header fields, "Name: value"
    context: bool = False  # a msgctxt entry with a live msgid, after that entry
    plural: bool = False
    obsolete: bool = False  # an obsolete entry with #~| previous msgid
    wrap: int = 0  # wrap long msgstrs at this width like Weblate (0: one line)


VARIANTS = [
    Variant("poedit-windows-crlf", "es", crlf=True, headers=(
        "X-Generator: Poedit 3.4.2", "X-Poedit-Basepath: ../../..",
        "X-Poedit-SearchPath-0: source", "X-Poedit-SourceCharset: UTF-8")),
    Variant("utf8-bom", "ar", bom=True, headers=("X-Generator: Notepad",)),
    Variant("utf8-bom-crlf", "es", bom=True, crlf=True),
    Variant("lokalize-cp1251", "ru", charset="CP1251", headers=(
        "X-Generator: Lokalize 23.08.5",), obsolete=True, plural=True),
    Variant("poedit-iso-8859-1", "es", charset="ISO-8859-1", headers=(
        "X-Generator: Poedit 2.0.6", "X-Poedit-Basepath: ../../.."), obsolete=True),
    Variant("weblate", "zh_Hans", headers=("X-Generator: Weblate 5.4",), context=True,
            plural=True, obsolete=True, wrap=77),
    Variant("cp1251-crlf-everything", "ru", charset="CP1251", crlf=True, headers=(
        "X-Generator: Poedit 3.0", "X-Poedit-Basepath: .."), context=True, plural=True,
        obsolete=True),
]


def _string(keyword: str, text: str, wrap: int) -> list[str]:
    one = f'{keyword} "{po_escape(text)}"'
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in one)
    if not wrap or columns <= wrap:
        return [one]
    chunks, rest = [], text
    while rest:
        chunks.append(rest[:20])
        rest = rest[20:]
    return [f'{keyword} ""'] + [f'"{po_escape(c)}"' for c in chunks]


def translator_file(v: Variant, texts: dict[str, str] | None = None) -> tuple[bytes, str]:
    """(the file's bytes, its text) as the tool writes it."""
    texts = texts or TEXTS[v.locale]
    lines = [f"# {v.locale} translation of Rest Well.", "# A Translator <a@example.org>, 2024.",
             "#", 'msgid ""', 'msgstr ""']
    fields = ["Project-Id-Version: Quality Test Library", "Report-Msgid-Bugs-To: ",
              "POT-Creation-Date: 2024-05-01 10:00+0000",
              "PO-Revision-Date: 2024-05-02 11:00+0300",
              "Last-Translator: A Translator <a@example.org>", f"Language-Team: {v.locale}",
              f"Language: {v.locale}", "MIME-Version: 1.0",
              f"Content-Type: text/plain; charset={v.charset}",
              "Content-Transfer-Encoding: 8bit", f"Plural-Forms: {PLURALS[v.locale]}",
              *v.headers]
    lines += [f'"{po_escape(f)}\\n"' for f in fields]
    for n, (msgid, msgstr) in enumerate(texts.items()):
        lines.append("")
        if n == 0:
            lines.append("#. Article title")
        lines.append("#: source/rest.md")
        lines += _string("msgid", msgid, v.wrap) + _string("msgstr", msgstr, v.wrap)
        if msgid == "Tips" and v.context:
            lines += ["", 'msgctxt "navigation menu"', 'msgid "Tips"',
                      f'msgstr "{po_escape(CONTEXT_TEXT[v.locale])}"']
    if v.plural:
        forms = PLURAL_TEXT[v.locale]
        lines += ["", "#, c-format", 'msgid "%d night"', 'msgid_plural "%d nights"']
        lines += [f'msgstr[{i}] "{po_escape(f)}"' for i, f in enumerate(forms)]
    if v.obsolete:
        lines += ["", "#, fuzzy", '#~| msgid "Avoid tea"', '#~ msgid "Avoid tea at night"',
                  f'#~ msgstr "{po_escape(OBSOLETE_TEXT[v.locale])}"']
    text = "\n".join(lines) + "\n"
    data = text.replace("\n", "\r\n") if v.crlf else text
    raw = data.encode(v.charset)
    return (codecs.BOM_UTF8 + raw if v.bom else raw), text


CONTEXT_TEXT = {"es": "Consejos (menú)", "ru": "Подсказки (меню)", "ar": "نصائح (قائمة)",
                "zh_Hans": "提示（菜单）"}
PLURAL_TEXT = {"es": ["%d noche", "%d noches"], "ru": ["%d ночь", "%d ночи", "%d ночей"],
               "ar": ["%d ليالي"] * 6, "zh_Hans": ["%d 晚"]}
OBSOLETE_TEXT = {"es": "Evite el té por la noche", "ru": "Избегайте чая ночью",
                 "ar": "تجنب الشاي ليلا", "zh_Hans": "晚上不要喝茶"}


@pytest.fixture(params=VARIANTS, ids=[v.id for v in VARIANTS])
def placed(request, quality) -> tuple[Path, Variant, Path]:
    """The quality project with this translator's file as <locale>/rest.po."""
    v: Variant = request.param
    po = po_file(quality, v.locale, "rest")
    raw, _ = translator_file(v)
    po.write_bytes(raw)
    assert (raw.startswith(codecs.BOM_UTF8)) == v.bom
    assert (b"\r\n" in raw) == v.crlf
    return quality, v, po


def warned_line(po: Path, v: Variant) -> int:
    """The line of the msgstr that lacks its period, counted in the translator's own bytes."""
    needle = f'msgstr "{po_escape(TEXTS[v.locale][WARNED])}"'.encode(v.charset)
    return line_with(po, needle)


def msgfmt_check(path: Path) -> None:
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def assert_page_shows(root: Path, locale: str, texts: dict[str, str]) -> None:
    page = root / "output" / TAGS[locale] / "rest.html"
    assert page.is_file()
    doc = parse_html(page)
    for msgid, msgstr in texts.items():
        shown = elements_with_text(doc, msgstr)
        assert shown, f"{msgstr!r} is not on {page}"
        assert all(nearest_lang(el) == TAGS[locale] for el in shown), msgstr
        assert not elements_with_text(doc, msgid), f"{msgid!r} is shown in English"
    html = page.read_text(encoding="utf-8")
    assert CONTEXT_TEXT[locale] not in html  # another message, not this page's heading


# -- files that load ---------------------------------------------------------------------------

def test_build_publishes_every_translation_of_the_file(placed):
    root, v, po = placed
    before = po.read_bytes()
    code, out, err = run(root, "build", "--no-audio", "-l", v.locale)
    assert code == 0, out + err
    assert_page_shows(root, v.locale, TEXTS[v.locale])
    assert not [i for i in issues(err) if i["severity"] == "error"], err
    assert po.read_bytes() == before  # the build never rewrites a translator's file


def test_check_reads_the_file_and_points_at_the_translators_line(placed):
    root, v, po = placed
    code, out, err = run(root, "check", "-l", v.locale)
    assert [(i["path"], int(i["line"]), i["severity"], i["code"]) for i in issues(err)] == [
        (rel_po(v.locale, "rest"), warned_line(po, v), "warning", "punctuation")], err
    assert code == 0


def test_stats_reads_the_file(placed):
    root, v, _ = placed
    code, out, err = run(root, "stats", "--format", "json", "-l", v.locale)
    assert code == 0, out + err
    rows = json.loads(out[: out.rindex("]") + 1])
    rest = next(r for r in rows if r["article"] == "rest")
    assert (rest["translated"], rest["fuzzy"], rest["untranslated"], rest["failing"]) == (
        5, 0, 0, 0)


def test_update_makes_it_utf8_and_keeps_every_translation(placed):
    root, v, po = placed
    _, original_text = translator_file(v)
    ok(root, "update", "-l", v.locale)
    raw = po.read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    assert b"\r" not in raw
    text = raw.decode("utf-8")  # fails on any byte left in the old charset
    catalog = polib.pofile(text)
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert catalog.metadata["Language"] == v.locale
    original = polib.pofile(original_text)
    for name, value in original.metadata.items():
        if name not in ("Content-Type", "POT-Creation-Date", "Plural-Forms"):
            assert catalog.metadata.get(name) == value, name  # custom headers kept
    live = {e.msgid: e for e in catalog if not e.obsolete and e.msgctxt is None}
    for msgid, msgstr in TEXTS[v.locale].items():
        assert live[msgid].msgstr == msgstr, msgid  # converted without loss
        assert "fuzzy" not in live[msgid].flags, msgid
    gone = {(e.msgctxt, e.msgid): e for e in catalog.obsolete_entries()}
    if v.plural:
        assert gone[(None, "%d night")].msgstr_plural == dict(enumerate(PLURAL_TEXT[v.locale]))
    if v.context:
        assert gone[("navigation menu", "Tips")].msgstr == CONTEXT_TEXT[v.locale]
    if v.obsolete:
        assert gone[(None, "Avoid tea at night")].msgstr == OBSOLETE_TEXT[v.locale]
    msgfmt_check(po)
    # a second update changes nothing, and the catalogs are up to date
    ok(root, "update", "-l", v.locale)
    assert po.read_bytes() == raw
    ok(root, "update", "--check")
    # the converted file builds the same page and is checked at its new line
    ok(root, "build", "--no-audio", "-l", v.locale)
    assert_page_shows(root, v.locale, TEXTS[v.locale])
    code, _, err = run(root, "check", "-l", v.locale)
    assert [(int(i["line"]), i["code"]) for i in issues(err)] == [
        (msgstr_line(po, WARNED), "punctuation")], err


def test_a_weblate_wrapped_msgstr_is_located_at_its_msgstr_line(quality):
    v = next(v for v in VARIANTS if v.id == "weblate")
    po = po_file(quality, v.locale, "rest")
    texts = dict(TEXTS[v.locale])
    msgid = "Avoid strong coffee after noon"
    texts[msgid] = texts[msgid] + "。 "  # trailing space: a whitespace warning
    raw, _ = translator_file(v, texts)
    po.write_bytes(raw)
    lines = po.read_text(encoding="utf-8").splitlines()
    start = lines.index(f'msgid "{msgid}"') + 1
    assert lines[start] == 'msgstr ""'  # wrapped: the msgstr keyword stands alone
    code, _, err = run(quality, "check", "-l", v.locale)
    found = [(int(i["line"]), i["code"]) for i in issues(err) if i["code"] == "whitespace"]
    assert found == [(start + 1, "whitespace")], err


# -- files that cannot be read -----------------------------------------------------------------

@dataclass(frozen=True)
class Broken:
    id: str
    locale: str
    make: object  # (texts) -> bytes
    needle: bytes  # the line the error must point at holds these bytes
    charset: str  # the charset the header declares, which the message names


def _utf8_declared_latin1_bytes() -> bytes:
    v = Variant("x", "es")
    _, text = translator_file(v)
    return text.encode("latin-1")  # saved in Latin-1, header still says UTF-8


def _cp1251_undefined_byte() -> bytes:
    v = Variant("x", "ru", charset="CP1251")
    raw, _ = translator_file(v)
    bad = "Советы".encode("cp1251")
    return raw.replace(bad, bad[:2] + b"\x98" + bad[2:])  # 0x98 is unassigned in CP1251


def _unknown_charset() -> bytes:
    v = Variant("x", "es")
    _, text = translator_file(v)
    return text.replace("charset=UTF-8", "charset=KLINGON-8").encode("utf-8")


BROKEN = [
    Broken("bytes-not-utf8", "es", _utf8_declared_latin1_bytes,
           'msgstr "Mantenga la habitación'.encode("latin-1"), "UTF-8"),
    Broken("bytes-not-cp1251", "ru", _cp1251_undefined_byte, b"\x98", "CP1251"),
    Broken("unknown-charset", "es", _unknown_charset, b"charset=KLINGON-8", "KLINGON-8"),
]


@pytest.fixture(params=BROKEN, ids=[b.id for b in BROKEN])
def broken(request, quality) -> tuple[Path, Broken, Path, int]:
    b: Broken = request.param
    other = "ar"
    fill(po_file(quality, other, "rest"), REST[other])
    po = po_file(quality, b.locale, "rest")
    po.write_bytes(b.make())
    return quality, b, po, line_with(po, b.needle)


def errors_at(err: str, rel: str) -> list[tuple[int | None, str]]:
    return [(int(i["line"]) if i["line"] else None, i["message"]) for i in issues(err)
            if i["severity"] == "error" and i["path"] == rel]


def test_build_names_the_file_and_line_and_builds_the_other_locales(broken):
    root, b, po, line = broken
    before = po.read_bytes()
    code, out, err = run(root, "build", "--no-audio")
    assert code == 1, out + err
    found = errors_at(err, rel_po(b.locale, "rest"))
    assert [n for n, _ in found] == [line], err
    if b.id == "unknown-charset":
        assert "KLINGON-8" in found[0][1], found
    assert not (root / "output" / TAGS[b.locale] / "rest.html").exists()
    assert_page_shows(root, "ar", REST["ar"])
    assert (root / "output" / "en" / "rest.html").is_file()
    assert po.read_bytes() == before


@pytest.mark.parametrize("command", [("check",), ("stats", "--format", "json"),
                                     ("update",)], ids=["check", "stats", "update"])
def test_other_commands_name_the_file_and_line(broken, command):
    root, b, po, line = broken
    before = po.read_bytes()
    code, out, err = run(root, *command, "-l", b.locale)
    assert code == 1, out + err
    found = errors_at(err, rel_po(b.locale, "rest"))
    assert [n for n, _ in found] == [line], err
    assert b.charset in found[0][1], found  # says which charset the bytes break
    assert po.read_bytes() == before  # never rewritten
