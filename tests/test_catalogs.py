"""`pipeline update`: merging templates into translators' PO files never loses their work.

Each test translates entries, changes the source the way an editor would, runs
`extract` + `update` through the real CLI and GNU gettext, and reads the PO files back.
"""
from __future__ import annotations

import pytest

from catalog_helpers import (age, catalogs, fake_translation, live, msgfmt_check, msgids,
                             obsolete, po_path, pot_path, read_po, replace_in, translate,
                             translate_everything)

HABITS = "Go to bed at the same time every day. Keep your bedroom dark and quiet."
HABITS_FIXED = "Go to bed at the same time each day. Keep your bedroom dark and quiet."
HELP = "Talk with your doctor if you snore loudly or often feel tired during the day."
HELP_MD = HELP + "\n\n"
ES_PLURALS = "nplurals=2; plural=(n != 1);"


def sync(root, run_cli, *update_args: str) -> str:
    """extract + update, both must succeed; returns update's stdout."""
    code, _, err = run_cli(root, "extract")
    assert code == 0, err
    code, out, err = run_cli(root, "update", *update_args)
    assert code == 0, err
    return out


@pytest.fixture
def translated(project, run_cli):
    """The basic project with every entry of every catalog translated and merged once."""
    sync(project, run_cli)
    for locale in ("es", "ar"):
        for slug in ("sleep", "water"):
            translate_everything(po_path(project, locale, slug), locale)
    sync(project, run_cli)
    return project


def source(root):
    return root / "source" / "sleep.md"


def es_sleep(root):
    return po_path(root, "es", "sleep")


# -- creating catalogs -------------------------------------------------------------------------

def test_update_creates_one_catalog_per_article_and_locale(project, run_cli):
    out = sync(project, run_cli)
    assert "0 updated, 0 unchanged" in out
    for locale in ("es", "ar"):
        for slug in ("sleep", "water"):
            po = po_path(project, locale, slug)
            assert msgids(po) == msgids(pot_path(project, slug))
            assert all(e.msgstr == "" for e in read_po(po))
            msgfmt_check(po)


@pytest.mark.parametrize("locale, nplurals", [("es", 2), ("ar", 6), ("zh_Hans", 1)])
def test_new_catalog_header_has_language_and_plural_forms(project, run_cli, locale, nplurals):
    replace_in(project / "pipeline.toml", 'locales = ["es", "ar"]',
               'locales = ["es", "ar", "zh_Hans"]')
    sync(project, run_cli)
    po = po_path(project, locale, "sleep")
    meta = read_po(po).metadata
    assert meta["Language"] == locale
    assert meta["Plural-Forms"].startswith(f"nplurals={nplurals}; plural=")
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Project-Id-Version"] == "Test Library"
    msgfmt_check(po)


def test_header_without_plural_forms_and_with_wrong_language_is_fixed(translated, run_cli):
    po = es_sleep(translated)
    replace_in(po, '"Language: es\\n"\n', '"Language: fr\\n"\n')
    replace_in(po, f'"Plural-Forms: {ES_PLURALS}\\n"\n', "")
    assert "Plural-Forms" not in read_po(po).metadata
    before = {e.msgid: e.msgstr for e in read_po(po)}

    sync(translated, run_cli)
    after = read_po(po)
    assert after.metadata["Language"] == "es"
    assert after.metadata["Plural-Forms"] == ES_PLURALS
    assert {e.msgid: e.msgstr for e in after} == before
    assert not after.fuzzy_entries()
    msgfmt_check(po)


# -- the core promise: a translator's work is never lost --------------------------------------

def test_typo_fix_keeps_the_old_translation_as_fuzzy_with_previous_msgid(translated, run_cli):
    replace_in(source(translated), "every day", "each day")
    sync(translated, run_cli)

    entry = live(es_sleep(translated), HABITS_FIXED)
    assert entry.msgstr == fake_translation("es", HABITS)
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == HABITS
    text = es_sleep(translated).read_text(encoding="utf-8")
    assert '#| msgid ""\n#| "Go to bed at the same time every day. ' in text
    assert HABITS not in msgids(es_sleep(translated))
    # The other entries stay translated and not fuzzy.
    po = read_po(es_sleep(translated))
    assert [e.msgid for e in po.fuzzy_entries()] == [HABITS_FIXED]
    assert len(po.translated_entries()) == len(msgids(es_sleep(translated))) - 1
    # Arabic too.
    assert live(po_path(translated, "ar", "sleep"), HABITS_FIXED).msgstr == \
        fake_translation("ar", HABITS)
    msgfmt_check(es_sleep(translated))


def test_removed_paragraph_becomes_obsolete_with_its_translation(translated, run_cli):
    replace_in(source(translated), HELP_MD, "")
    sync(translated, run_cli)

    po = read_po(es_sleep(translated))
    assert HELP not in msgids(es_sleep(translated))
    gone = obsolete(po, HELP)
    assert gone.msgstr == fake_translation("es", HELP)
    text = es_sleep(translated).read_text(encoding="utf-8")
    assert "#~ msgid" in text and fake_translation("es", "Talk with your doctor") in text
    msgfmt_check(es_sleep(translated))


def test_restored_paragraph_comes_back_translated(translated, run_cli):
    replace_in(source(translated), HELP_MD, "")
    sync(translated, run_cli)
    replace_in(source(translated), "1. Write down", HELP_MD + "1. Write down")
    sync(translated, run_cli)

    po = read_po(es_sleep(translated))
    entry = live(po, HELP)
    assert entry.msgstr == fake_translation("es", HELP)
    assert "fuzzy" not in entry.flags
    assert [e.msgid for e in po].count(HELP) == 1  # not also obsolete
    assert not po.obsolete_entries()
    assert not po.fuzzy_entries()
    assert msgids(es_sleep(translated)) == msgids(pot_path(translated, "sleep"))
    msgfmt_check(es_sleep(translated))


def test_reordering_sections_keeps_every_translation(translated, run_cli):
    text = source(translated).read_text(encoding="utf-8")
    habits_start = text.index("## Habits")
    help_start = text.index("## When to Get Help")
    refs_start = text.index("## References")
    reordered = (text[:habits_start] + text[help_start:refs_start]
                 + text[habits_start:help_start] + text[refs_start:])
    source(translated).write_text(reordered, encoding="utf-8")
    before = {e.msgid: e.msgstr for e in read_po(es_sleep(translated))}

    sync(translated, run_cli)
    po = read_po(es_sleep(translated))
    assert {e.msgid: e.msgstr for e in po} == before
    assert not po.fuzzy_entries() and not po.obsolete_entries()
    assert msgids(es_sleep(translated)).index("When to Get Help") < \
        msgids(es_sleep(translated)).index("Habits")
    assert live(po, "Keep the room cool").occurrences == [("source/sleep.md", "28")]
    msgfmt_check(es_sleep(translated))


def test_translator_comments_and_custom_headers_survive(translated, run_cli):
    po = es_sleep(translated)
    replace_in(po, '"Language: es\\n"\n',
               '"Language: es\\n"\n"X-Poedit-Basepath: ../../..\\n"\n'
               '"X-Generator: Poedit 3.4\\n"\n')
    replace_in(po, "#. Section heading (habits)\n",
               "# Ana: checked with the sleep clinic, 2024-02-01\n"
               "#. Section heading (habits)\n")
    replace_in(source(translated), "every day", "each day")  # make update rewrite the file
    sync(translated, run_cli)

    text = po.read_text(encoding="utf-8")
    assert "# Ana: checked with the sleep clinic, 2024-02-01\n" in text
    meta = read_po(po).metadata
    assert meta["X-Poedit-Basepath"] == "../../.."
    assert meta["X-Generator"] == "Poedit 3.4"
    assert meta["Language"] == "es"
    assert live(po, "Habits").tcomment == "Ana: checked with the sleep clinic, 2024-02-01"
    assert live(po, "Habits").msgstr == "[es] Habits"
    msgfmt_check(po)


def test_translation_with_reformatted_source_is_not_fuzzy(translated, run_cli):
    replace_in(source(translated), "Most adults need *seven to nine hours* of\nsleep",
               "Most adults need\n*seven to nine hours*   of sleep")
    sync(translated, run_cli)
    po = read_po(es_sleep(translated))
    assert not po.fuzzy_entries() and not po.obsolete_entries()


def test_second_update_changes_nothing(translated, run_cli):
    files = catalogs(translated)
    before = {p: (p.read_bytes(), age(p)) for p in files}
    out = sync(translated, run_cli)
    assert "0 created, 0 updated," in out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in catalogs(translated)} == before


def test_second_update_after_a_change_changes_nothing(translated, run_cli):
    replace_in(source(translated), "every day", "each day")
    replace_in(source(translated), HELP_MD, "")
    sync(translated, run_cli)
    files = catalogs(translated)
    before = {p: (p.read_bytes(), age(p)) for p in files}
    sync(translated, run_cli)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before


def test_every_produced_file_passes_msgfmt_check(translated, run_cli):
    replace_in(source(translated), "every day", "each day")
    replace_in(source(translated), HELP_MD, "")
    replace_in(source(translated), "- Keep the room cool\n", "- Keep the room cool and dark\n"
               "- Use a fan for *white noise*\n")
    sync(translated, run_cli)
    files = catalogs(translated)
    for slug in ("sleep", "water"):
        assert {pot_path(translated, slug), po_path(translated, "es", slug),
                po_path(translated, "ar", slug)} <= set(files)
    for path in files:
        msgfmt_check(path)


def test_update_with_one_locale_touches_only_that_locale(project, run_cli):
    sync(project, run_cli, "-l", "es")
    assert po_path(project, "es", "sleep").exists()
    assert not (project / "locales" / "ar").exists()

    sync(project, run_cli)  # now both exist
    translate(po_path(project, "ar", "sleep"), {"Habits": "عادات"})
    ar = po_path(project, "ar", "sleep")
    ar_before = (ar.read_bytes(), age(ar))
    replace_in(source(project), "every day", "each day")
    out = sync(project, run_cli, "-l", "es")
    assert out.startswith("update: 1 locale(s), ")
    assert "0 created, 1 updated" in out
    assert (ar.read_bytes(), ar.stat().st_mtime_ns) == ar_before
    assert HABITS_FIXED in msgids(po_path(project, "es", "sleep"))


def test_update_check_reports_stale_catalogs_without_writing(translated, run_cli):
    replace_in(source(translated), "every day", "each day")
    code, _, err = run_cli(translated, "extract")
    assert code == 0, err
    po = es_sleep(translated)
    before = (po.read_bytes(), age(po))
    code, out, err = run_cli(translated, "update", "--check")
    assert code == 1
    assert "locales/es/LC_MESSAGES/sleep.po: error: catalog is out of date" in err
    assert (po.read_bytes(), po.stat().st_mtime_ns) == before


def test_catalog_without_a_header_gets_one_and_keeps_its_entries(translated, run_cli):
    po = po_path(translated, "ar", "water")
    po.write_text("# Layla: first draft\n"
                  'msgid "Tips"\nmsgstr "نصائح"\n', encoding="utf-8")
    sync(translated, run_cli)
    catalog = read_po(po)
    assert catalog.metadata["Language"] == "ar"
    assert catalog.metadata["Plural-Forms"].startswith("nplurals=6;")
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert live(catalog, "Tips").msgstr == "نصائح"
    assert live(catalog, "Tips").tcomment == "Layla: first draft"
    assert msgids(po) == msgids(pot_path(translated, "water"))
    msgfmt_check(po)


def test_catalog_with_windows_line_endings_gets_its_header_fixed(translated, run_cli):
    po = es_sleep(translated)
    text = po.read_text(encoding="utf-8").replace('"Language: es\\n"', '"Language: fr\\n"')
    text = text.replace(f'"Plural-Forms: {ES_PLURALS}\\n"\n', "")
    po.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    sync(translated, run_cli)
    catalog = read_po(po)
    assert catalog.metadata["Language"] == "es"
    assert catalog.metadata["Plural-Forms"] == ES_PLURALS
    assert live(catalog, "Habits").msgstr == "[es] Habits"
    msgfmt_check(po)


def test_new_catalogs_are_exactly_what_msgmerge_writes(project, run_cli):
    """New catalogs are assembled without a msgmerge per locale; merging them again for real
    (no update cache) must change nothing."""
    import shutil as _shutil

    for command in ("extract", "update"):
        code, _, err = run_cli(project, command)
        assert code == 0, err
    created = {p: p.read_bytes() for p in project.glob("locales/*/LC_MESSAGES/*.po")}
    assert len(created) >= 4
    _shutil.rmtree(project / ".pipeline-cache")
    code, out, err = run_cli(project, "update")
    assert code == 0, err
    assert "0 updated" in out, out
    assert {p: p.read_bytes() for p in created} == created
