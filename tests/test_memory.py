"""The translation memory in `pipeline update` (issue 17): a second article sharing most of
its strings with the translated sample is pre-filled in every sample locale, translated where
the same text stands in the same role, fuzzy (never published) otherwise; memory files that
do not parse, conflicting and tag-mismatched memory entries; deterministic, msgfmt-clean."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from sitekit import copy_sample_project, run_pipeline

LOCALES = ["es", "zh_Hans", "vi", "ar", "ht", "ru", "tl"]
TITLE = "Treatment for Dermatomyositis"
INTRO = ("There is no cure for dermatomyositis. Treatment is focused on managing the symptoms. "
         "Talk with your doctor about the best treatment plan for you. Treatment options "
         "include the following:")
REMOVED = ("There are other medication options that can help to suppress the immune system. "
           "They may be used with or instead of the corticosteroids.")
ADDED = "Your doctor will check your blood tests often while you take these medications."


def second_article(root: Path) -> Path:
    """source/polymyositis.md: the sample article with its title and first sentence changed,
    one paragraph replaced by a new one, the heading "Medications" renamed and the same word
    added as a list item (the same text in another role)."""
    text = (root / "source" / "dermatomyositis.md").read_text(encoding="utf-8")
    for old, new in (("title: Treatment for Dermatomyositis", "title: Treatment for Polymyositis"),
                     ("There is no cure for dermatomyositis.", "There is no cure for polymyositis."),
                     ("There are other medication options that can help to suppress the immune "
                      "system. They may be\nused with or instead of the corticosteroids.", ADDED),
                     ("## Medications {#medications}", "## Medicines {#medications}"),
                     ("- The Myositis Association\n", "- The Myositis Association\n- Medications\n")):
        assert old in text, old
        text = text.replace(old, new)
    path = root / "source" / "polymyositis.md"
    path.write_text(text, encoding="utf-8")
    return path


def ok(root: Path, *args: str) -> subprocess.CompletedProcess:
    done = run_pipeline(root, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def catalog(root: Path, locale: str, slug: str) -> polib.POFile:
    return polib.pofile(str(root / "locales" / locale / "LC_MESSAGES" / f"{slug}.po"))


def msgstr_line(path: Path, msgid: str) -> int:
    """The line of an entry's msgstr, found by reading the file as text."""
    lines = path.read_text(encoding="utf-8").split("\n")
    entry = next(e for e in polib.pofile(str(path)) if e.msgid == msgid)
    return next(n for n in range(entry.linenum, len(lines) + 1)
                if lines[n - 1].startswith("msgstr"))


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    root = copy_sample_project(tmp_path_factory.mktemp("memory") / "site")
    second_article(root)
    ok(root, "extract")
    done = ok(root, "update")
    assert "pre-filled from the translation memory" in done.stdout
    return root


@pytest.mark.parametrize("locale", LOCALES)
def test_shared_strings_are_prefilled_in_every_sample_locale(library, locale):
    old_path = library / "locales" / locale / "LC_MESSAGES" / "dermatomyositis.po"
    done = {e.msgid: e for e in polib.pofile(str(old_path))
            if e.translated() and not e.obsolete}
    new = {e.msgid: e for e in catalog(library, locale, "polymyositis")}
    shared = [m for m in done if m in new and m != "Medications"]
    assert len(shared) >= 5 or locale == "tl"  # tl and ru are partly translated samples
    for msgid in shared:  # same text, same role: translated, saying where from
        entry = new[msgid]
        assert entry.translated() and entry.msgstr == done[msgid].msgstr, msgid
        assert f"memory: dermatomyositis.po:{msgstr_line(old_path, msgid)}" in entry.comment
    if "Medications" in done:  # a heading there, a list item here: fuzzy
        entry = new["Medications"]
        assert entry.fuzzy and entry.previous_msgid == "Medications"
        assert entry.msgstr == done["Medications"].msgstr
        assert "(same text, heading there)" in entry.comment
    for old, changed in ((TITLE, "Treatment for Polymyositis"),
                         (INTRO, INTRO.replace("dermatomyositis.", "polymyositis."))):
        if old in done:  # near matches: fuzzy, with the memory's msgid as the previous one
            entry = new[changed]
            assert entry.fuzzy and entry.previous_msgid == old and not entry.translated()
            assert re.search(r"memory: dermatomyositis\.po:\d+ \(\d\d% similar\)",
                             entry.comment)
    assert new[ADDED].msgstr == "" and "memory:" not in new[ADDED].comment


def test_the_spanish_catalog_in_numbers(library):
    entries = [e for e in catalog(library, "es", "polymyositis") if not e.obsolete]
    assert len(entries) == 26
    assert sum(e.translated() for e in entries) == 21
    assert sorted(e.msgid for e in entries if e.fuzzy) == [
        "Medications", "Medicines", INTRO.replace("dermatomyositis.", "polymyositis."),
        "Treatment for Polymyositis"]
    assert [e.msgid for e in entries if not e.msgstr] == [ADDED]


def test_only_what_is_translated_is_published(library, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(library, root)
    ok(root, "build", "--no-audio", "-l", "es")
    page = (root / "output" / "es" / "polymyositis.html").read_text(encoding="utf-8")
    assert "Fisioterapia" in page and "Ejercicios de fuerza y flexibilidad" in page
    assert "There is no cure for polymyositis." in page  # fuzzy: the source is shown
    assert "La dermatomiositis no tiene cura" not in page
    assert "Treatment for Polymyositis" in page and "Tratamiento de la" not in page


def test_updates_are_deterministic_and_msgfmt_clean(library, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(library, root)
    before = {p: p.read_bytes() for p in sorted((root / "locales").rglob("*.po"))}
    ok(root, "update")
    assert {p: p.read_bytes() for p in before} == before
    shutil.rmtree(root / ".pipeline-cache")  # every catalog merged and filled again
    ok(root, "update", "--check")  # the memory notes are no difference
    ok(root, "update")
    assert {p: p.read_bytes() for p in before} == before
    ok(root, "update", "--no-memory")  # nothing new to fill; the notes stay
    assert {p: p.read_bytes() for p in before} == before
    for path in before:
        done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                              capture_output=True, text=True)
        assert done.returncode == 0, (path, done.stderr)


def _fresh(tmp_path: Path) -> Path:
    root = copy_sample_project(tmp_path / "site")
    second_article(root)
    ok(root, "extract")
    return root


MEMORY_HEAD = """msgid ""
msgstr ""
"PO-Revision-Date: {date}\\n"
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

"""


def test_a_broken_memory_file_is_reported_at_its_line_and_ignored(tmp_path):
    root = _fresh(tmp_path)
    memory = MEMORY_HEAD.format(date="2030-01-01 00:00+0000") + (
        '#. Section heading (physical-therapy)\nmsgid "Physical Therapy"\nmsgstr "Terapia"\n\n'
        'msgid "Rest"\nmsgstr "Descanso\n')  # line 12: the string is not closed
    (root / "locales" / "es" / "memory.po").write_text(memory, encoding="utf-8")
    done = ok(root, "update", "-l", "es")
    said = done.stdout + done.stderr
    assert re.search(r"^locales/es/memory\.po:12: warning: .*\[memory-syntax\]$", said, re.M), said
    entry = {e.msgid: e for e in catalog(root, "es", "polymyositis")}["Physical Therapy"]
    assert entry.translated() and entry.msgstr == "Fisioterapia"  # the library still serves
    assert "memory.po" not in entry.comment


@pytest.mark.parametrize("date, most_recent", [("2030-01-01 00:00+0000", "Terapia física"),
                                               ("2020-01-01 00:00+0000", "Fisioterapia")])
def test_conflicting_memory_entries_become_fuzzy_with_the_most_recent(tmp_path, date,
                                                                     most_recent):
    root = _fresh(tmp_path)
    memory = MEMORY_HEAD.format(date=date) + (
        '#. Section heading (physical-therapy)\nmsgid "Physical Therapy"\n'
        'msgstr "Terapia física"\n')
    (root / "locales" / "es" / "memory.po").write_text(memory, encoding="utf-8")
    ok(root, "update", "-l", "es")
    entry = {e.msgid: e for e in catalog(root, "es", "polymyositis")}["Physical Therapy"]
    assert entry.fuzzy and entry.msgstr == most_recent
    assert "2 different translations in the memory" in entry.comment
    source = "memory.po:" if most_recent == "Terapia física" else "dermatomyositis.po:"
    assert f"memory: {source}" in entry.comment


def test_a_memory_entry_whose_tags_do_not_match_is_not_translated(tmp_path):
    root = _fresh(tmp_path)
    path = root / "source" / "polymyositis.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "- Strength and flexibility exercises", "- Strength and *flexibility* exercises\n"
        "- Stretch *every* day"), encoding="utf-8")
    ok(root, "extract")
    list_item = '#. Section "Physical Therapy" (physical-therapy): list item\n'
    memory = MEMORY_HEAD.format(date="2030-01-01 00:00+0000") + (
        f'{list_item}msgid "Strength and <em>flexibility</em> exercises"\n'
        'msgstr "Ejercicios de fuerza y flexibilidad"\n\n'  # the <em> is lost
        f'{list_item}msgid "Stretch <em>every</em> day"\nmsgstr "Estírese <em>todos</em> los días"\n')
    (root / "locales" / "es" / "memory.po").write_text(memory, encoding="utf-8")
    ok(root, "update", "-l", "es")
    entries = {e.msgid: e for e in catalog(root, "es", "polymyositis")}
    lost = entries["Strength and <em>flexibility</em> exercises"]
    assert lost.fuzzy and "its markup does not match the source" in lost.comment
    kept = entries["Stretch <em>every</em> day"]
    assert kept.translated() and kept.msgstr == "Estírese <em>todos</em> los días"
    assert re.search(r"memory: memory\.po:\d+$", kept.comment, re.M)


def test_a_tmx_memory_fills_with_its_roles(tmp_path):
    root = _fresh(tmp_path)
    (root / "locales" / "es" / "memory.tmx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" '
        'datatype="plaintext"/><body>\n'
        f'<tu changedate="20300101T000000Z"><note>paragraph</note><tuv xml:lang="en"><seg>{ADDED}'
        '</seg></tuv><tuv xml:lang="es-ES"><seg>Su médico revisará sus análisis de sangre a '
        'menudo mientras tome estos medicamentos.</seg></tuv></tu>\n</body></tmx>\n',
        encoding="utf-8")
    ok(root, "update", "-l", "es")
    entry = {e.msgid: e for e in catalog(root, "es", "polymyositis")}[ADDED]
    assert entry.translated() and entry.msgstr.startswith("Su médico revisará")
    assert "memory: memory.tmx:3" in entry.comment


def test_a_tmx_that_is_not_well_formed_is_reported_at_its_line(tmp_path):
    root = _fresh(tmp_path)
    (root / "locales" / "es" / "memory.tmx").write_text(
        '<?xml version="1.0"?>\n<tmx version="1.4"><body>\n<tu><tuv>\n</body></tmx>\n',
        encoding="utf-8")
    done = ok(root, "update", "-l", "es")
    assert re.search(r"^locales/es/memory\.tmx:4: warning: .*\[memory-syntax\]$",
                     done.stdout + done.stderr, re.M)


def test_translations_and_translators_fuzzy_entries_are_never_overwritten(library, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(library, root)
    path = root / "locales" / "es" / "LC_MESSAGES" / "polymyositis.po"
    po = polib.pofile(str(path))
    mine = {e.msgid: e for e in po}
    mine["Physical Therapy"].msgstr = "Terapia física"  # a translator's own choice
    mine["Medications"].msgstr = "Medicinas"  # still fuzzy: theirs to review
    po.save(str(path))
    derm = root / "locales" / "es" / "LC_MESSAGES" / "dermatomyositis.po"
    derm.write_bytes(derm.read_bytes())  # the memory changed: catalogs are merged again
    ok(root, "update", "-l", "es")
    after = {e.msgid: e for e in catalog(root, "es", "polymyositis")}
    assert after["Physical Therapy"].msgstr == "Terapia física"
    assert after["Medications"].msgstr == "Medicinas" and after["Medications"].fuzzy


def test_a_changed_string_that_the_library_has_becomes_translated(library, tmp_path):
    """msgmerge's fuzzy guess from the article's own old text gives way to an exact match."""
    root = tmp_path / "site"
    shutil.copytree(library, root)
    path = root / "source" / "polymyositis.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        ADDED, REMOVED.replace("may be used", "may be\nused")), encoding="utf-8")
    ok(root, "extract")
    ok(root, "update", "-l", "es")
    entry = {e.msgid: e for e in catalog(root, "es", "polymyositis")}[REMOVED]
    assert entry.translated() and entry.msgstr.startswith("Hay otros medicamentos")
    assert "memory: dermatomyositis.po:" in entry.comment


def test_a_new_translation_reaches_other_articles_on_the_next_update(library, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(library, root)
    po = catalog(root, "es", "polymyositis")
    {e.msgid: e for e in po}[ADDED].msgstr = "Su médico revisará sus análisis."
    po.save(str(root / "locales" / "es" / "LC_MESSAGES" / "polymyositis.po"))
    third = root / "source" / "myositis.md"
    third.write_text("---\ntitle: Myositis\n---\n\n" + ADDED + "\n", encoding="utf-8")
    ok(root, "extract")
    ok(root, "update", "-l", "es")
    entry = {e.msgid: e for e in catalog(root, "es", "myositis")}[ADDED]
    assert entry.msgstr == "Su médico revisará sus análisis." and entry.translated()


def test_no_memory_leaves_new_catalogs_empty(tmp_path):
    root = _fresh(tmp_path)
    done = ok(root, "update", "-l", "es", "--no-memory")
    assert "translation memory off" in done.stdout
    assert all(not e.msgstr for e in catalog(root, "es", "polymyositis"))
