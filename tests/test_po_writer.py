"""po_writer writes PO text byte for byte as GNU gettext does, so new catalogs can be copied
from templates without a msgmerge per catalog, and the first real merge changes nothing.

Every case is checked against the installed msgmerge: a PO is written with po_writer, merged
with an empty catalog, and the two must be the same bytes.
"""
from __future__ import annotations

import subprocess

import pytest

from pipeline.catalogs import po_writer
from pipeline.catalogs import TemplateEntry, WRAP, msgmerge, new_po_header, render_pot
from pipeline.locales import locale_info
from pipeline.stages.update import new_catalog

pytestmark = pytest.mark.skipif(not po_writer.EXACT, reason="libunistring is not loadable")

LONG = ("Talk with your doctor if you snore loudly or often feel tired during the day, "
        "because sleep apnea is common and it can be treated.")
CASES = [
    "",
    "Short",
    LONG,
    LONG + " " + LONG,
    # where GNU's Unicode line breaking differs from textwrap: after "</", before "(" ...
    "There is no cure for psoriasis. The infusion needs to be repeated <em>every</em> couple "
    "of weeks. These antibodies can block the unhealthy antibodies associated with psoriasis.",
    "Rest when needed. This will decrease inflammation in the muscle. You may also be asked "
    "to take supplements like calcium and vitamin D to improve your bone strength.",
    "See <a1>the National Institute of Arthritis and Musculoskeletal and Skin Diseases "
    "(NIAMS)</a1> at https://www.niams.nih.gov/health-topics/dermatomyositis-and-more-text",
    # escapes: quotes, backslashes, tabs, newlines inside and at the end
    'He said "stop" and \\ then "go" ' * 4,
    "Line one\nLine two is a good deal longer than line one and has to be wrapped somewhere "
    "near its end\n",
    "tab\there\tand\tthere " * 8,
    "x" * 200,  # a word longer than the line
    "word " * 15 + "y" * 70 + " end",
    # exactly at and around the width of the first line (msgid "...": 77 columns of text)
    "a" * 69, "a" * 70, "a" * 71, ("b" * 30 + " ") * 3,
    # non-ASCII: accents, dashes, non-breaking spaces, CJK, Arabic, emoji
    "Les médicaments — comme la prednisone — réduisent l’inflammation des muscles et de "
    "la peau ; parlez-en à votre médecin.",
    "多发性肌炎是一种罕见的疾病，会引起肌肉无力和皮疹。治疗通常包括皮质类固醇和其他药物，"
    "以减少炎症并帮助肌肉恢复力量。",
    "التهاب الجلد والعضلات مرض نادر يسبب ضعف العضلات وطفحًا جلديًا. يشمل العلاج عادةً "
    "الكورتيكوستيرويدات وأدوية أخرى.",
    "Keep 5\u00a0mg\u00a0doses apart — 10\u202f% of people 🙂 need a second course of "
    "treatment after the first one ends.",
]


def merged_by_gnu(po_text: str, tmp_path) -> str:
    source = tmp_path / "in.po"
    source.write_text(po_text, encoding="utf-8")
    done = subprocess.run(["msgcat", f"--width={WRAP}", "-o", "-", str(source)],
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_entries_are_written_as_gnu_gettext_writes_them(text, tmp_path):
    entry = TemplateEntry(text or "(empty)", (("source/a-rather-long-file-name.md", 12),) * 9,
                          ("Section \"Treatment\" (treatment): paragraph",))
    pot = render_pot([entry, TemplateEntry(text + " 2", (), ())], "Health", "2026-01-01 00:00+0000")
    assert merged_by_gnu(pot, tmp_path) == pot


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_previous_msgids_wrap_as_gnu_does(text, tmp_path):
    lines = ['msgid ""', 'msgstr "Content-Type: text/plain; charset=UTF-8\\n"', ""]
    lines += ["#, fuzzy", *po_writer.wrap_string("msgid", text + " old", prefix="#| ")]
    lines += po_writer.wrap_string("msgid", text + " new")
    lines += po_writer.wrap_string("msgstr", text + " traduit")
    po = "\n".join(lines) + "\n"
    assert merged_by_gnu(po, tmp_path) == po


def test_long_reference_lists_wrap_as_gnu_does(tmp_path):
    places = tuple((f"source/{'deep/' * (n % 4)}article-{n}.md", n * 7) for n in range(40))
    places += (("source/a folder/with spaces.md", 3), ("./source/x.md", 4), ("source/x.md", 4))
    pot = render_pot([TemplateEntry("Repeated text", places, ())], "Health", "2026-01-01 00:00+0000")
    assert merged_by_gnu(pot, tmp_path) == pot


@pytest.mark.parametrize("locale", ["es", "ar", "zh_Hans", "ru", "ht", "cy", "ga"])
def test_new_catalog_is_what_msgmerge_makes_of_the_template(locale, tmp_path):
    pot = tmp_path / "t.pot"
    pot.write_text(render_pot([TemplateEntry(text or "x", (("source/t.md", i + 1),), ("note",))
                               for i, text in enumerate(CASES)], "Health \"Library\" ÉÀ",
                              "2026-01-01 00:00+0000"), encoding="utf-8")
    info = locale_info(locale)
    expected = msgmerge(new_po_header(locale, info.plural_forms, "Health \"Library\" ÉÀ",
                                      "2026-01-01 00:00+0000"), pot,
                        "t.po", locale)
    assert new_catalog(pot, "t.po", locale, "Health \"Library\" ÉÀ") == expected


def test_a_template_not_written_by_extract_is_merged_by_msgmerge(tmp_path, monkeypatch):
    """Hand-made or foreign templates may hold what po_writer never writes (flags, contexts,
    plurals); msgmerge makes their catalogs, and po_writer's shortcut is not taken."""
    pot = tmp_path / "t.pot"
    pot.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                   '#, c-format\nmsgctxt "menu"\nmsgid "%d file"\nmsgid_plural "%d files"\n'
                   'msgstr[0] ""\nmsgstr[1] ""\n', encoding="utf-8")
    calls = []
    real = msgmerge

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr("pipeline.stages.update.msgmerge", counting)
    po = new_catalog(pot, "t.po", "ru", "Health").decode("utf-8")
    assert calls
    assert 'msgctxt "menu"' in po and "msgstr[2]" in po and "#, c-format" in po


def test_without_libunistring_new_catalogs_come_from_msgmerge(tmp_path, monkeypatch):
    entries = [TemplateEntry(text or "x", (("source/t.md", 3),), ()) for text in CASES]
    monkeypatch.setattr(po_writer, "EXACT", False)
    text = render_pot(entries, "Health", "2026-01-01 00:00+0000")  # polib's wrapping
    pot = tmp_path / "t.pot"
    pot.write_text(text, encoding="utf-8")
    info = locale_info("es")
    expected = msgmerge(new_po_header("es", info.plural_forms, "Health", "2026-01-01 00:00+0000"),
                        pot, "t.po", "es")
    assert new_catalog(pot, "t.po", "es", "Health") == expected
