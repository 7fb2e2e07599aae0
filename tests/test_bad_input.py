"""Bad input: every problem is reported as ``path:line: severity: message [code]``, the run
exits 1 (2 for usage errors), everything else is still processed, and nothing is lost."""
from __future__ import annotations

import os
import shutil

import pytest

from catalog_helpers import (age, issues, msgids, one_issue, po_path, pot_path, read_po,
                             replace_in,
                             replace_in, translate)

WATER_INTRO = "Water keeps your body working. Drink when you are thirsty."


def write_source(root, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def extract(root, run_cli, *args: str):
    return run_cli(root, *args, "extract")


def assert_sleep_extracted(root) -> None:
    assert "Keep the room cool" in msgids(pot_path(root, "sleep"))


def no_temp_files(root) -> None:
    assert sorted(root.rglob("*.tmp")) == []


# -- sources -----------------------------------------------------------------------------------

def test_yaml_error_is_reported_at_its_line_and_other_articles_go_on(project, run_cli):
    replace_in(project / "source" / "water.md", "title: Drinking Water\n",
               "title: Drinking Water\nauthor: Doe: A\n")
    code, _, err = extract(project, run_cli)
    assert code == 1
    issue = one_issue(err, "front-matter")
    assert issue["path"] == "source/water.md"
    assert issue["line"] == "3"
    assert issue["severity"] == "error"
    # libyaml (PyYAML's C loader) ends it "in this context", the pure-Python loader "here"
    assert issue["message"].startswith("YAML front matter: mapping values are not allowed")
    assert err.splitlines() == [f"source/water.md:3: error: {issue['message']} [front-matter]"]
    assert_sleep_extracted(project)
    assert not pot_path(project, "water").exists()


def test_missing_title(project, run_cli):
    replace_in(project / "source" / "water.md", "title: Drinking Water\n",
               "author: Doe A\n")
    code, _, err = extract(project, run_cli)
    assert code == 1
    assert "source/water.md:1: error: front matter needs a 'title' [front-matter]" in \
        err.splitlines()
    assert_sleep_extracted(project)
    assert not pot_path(project, "water").exists()


def test_missing_front_matter(project, run_cli):
    write_source(project, "source/plain.md", "Just text.\n")
    code, _, err = extract(project, run_cli)
    assert code == 1
    issue = one_issue(err, "front-matter")
    assert (issue["path"], issue["line"]) == ("source/plain.md", "1")
    assert_sleep_extracted(project)
    assert pot_path(project, "water").exists()


@pytest.mark.parametrize("strict", [False, True])
def test_unknown_front_matter_key_is_a_warning(project, run_cli, strict):
    replace_in(project / "source" / "water.md", "title: Drinking Water\n",
               "title: Drinking Water\ncolour: blue\n")
    args = ("--strict",) if strict else ()
    code, _, err = extract(project, run_cli, *args)
    assert code == (1 if strict else 0)
    assert "source/water.md:3: warning: unknown front matter key 'colour' ignored " \
           "[front-matter-key]" in err.splitlines()
    assert len(issues(err)) == 1
    # A warning does not stop the article.
    assert WATER_INTRO in msgids(pot_path(project, "water"))
    assert_sleep_extracted(project)


def test_duplicate_slug_names_both_files(project, run_cli):
    (project / "source" / "sub").mkdir()
    shutil.copy(project / "source" / "water.md", project / "source" / "sub" / "water.md")
    code, _, err = extract(project, run_cli)
    assert code == 1
    issue = one_issue(err, "duplicate-slug")
    assert issue["severity"] == "error"
    assert {issue["path"], issue["message"].split("(also ")[1].split(")")[0]} == \
        {"source/water.md", "source/sub/water.md"}
    assert "duplicate slug 'water'" in issue["message"]
    assert_sleep_extracted(project)


def test_non_utf8_source_is_reported_at_the_line(project, run_cli):
    path = project / "source" / "water.md"
    lines = path.read_bytes().split(b"\n")
    assert lines[6] == b"## Tips {#tips}"
    lines[6] = "## Tips for the café {#tips}".encode("latin-1")
    path.write_bytes(b"\n".join(lines))
    code, _, err = extract(project, run_cli)
    assert code == 1
    issue = one_issue(err, "encoding")
    assert (issue["path"], issue["line"], issue["severity"]) == ("source/water.md", "7", "error")
    assert issue["message"].startswith("not valid UTF-8")
    assert_sleep_extracted(project)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_source(project, run_cli):
    path = project / "source" / "water.md"
    path.chmod(0)
    try:
        code, _, err = extract(project, run_cli)
    finally:
        path.chmod(0o644)
    assert code == 1
    issue = one_issue(err, "unreadable")
    assert issue["path"] == "source/water.md"
    assert_sleep_extracted(project)


# -- configuration -----------------------------------------------------------------------------

def test_unknown_config_key(project, run_cli):
    replace_in(project / "pipeline.toml", 'locales = ["es", "ar"]\n',
               'locales = ["es", "ar"]\ncolour = 1\n')
    code, out, err = extract(project, run_cli)
    assert code == 1
    assert err.splitlines()[0] == ("pipeline.toml:6: error: project.colour: unknown key "
                                   "(expected one of name, source_language, locales) "
                                   "[config-key]")
    assert not (project / "locales").exists()  # nothing runs on a broken configuration


def test_invalid_locale_code(project, run_cli):
    replace_in(project / "pipeline.toml", 'locales = ["es", "ar"]', 'locales = ["es", "xx"]')
    code, _, err = run_cli(project, "update")
    assert code == 1
    assert err.splitlines()[0] == ("pipeline.toml:5: error: project.locales: unknown locale "
                                   "code 'xx' [config-key]")


def test_config_error_points_at_the_key_in_its_own_table(project, run_cli):
    with (project / "pipeline.toml").open("a", encoding="utf-8") as f:
        f.write('\n[audio.voices]\nes = "roa/es"\n\n[audio.rates]\nes = 900\n')
    code, _, err = run_cli(project, "extract")
    assert code == 1
    assert err.splitlines()[0] == ("pipeline.toml:11: error: audio.rates.es: must be words "
                                   "per minute between 60 and 400 [config-key]")


def test_toml_syntax_error(project, run_cli):
    replace_in(project / "pipeline.toml", 'name = "Test Library"', 'name = "Test Library')
    code, _, err = run_cli(project, "extract")
    assert code == 1
    issue = one_issue(err, "config-syntax")
    assert (issue["path"], issue["line"]) == ("pipeline.toml", "3")


# -- catalogs ----------------------------------------------------------------------------------

@pytest.fixture
def updated(project, run_cli):
    code, _, err = run_cli(project, "extract")
    assert code == 0, err
    code, _, err = run_cli(project, "update")
    assert code == 0, err
    translate(po_path(project, "es", "sleep"), {"Habits": "Hábitos"})
    translate(po_path(project, "ar", "sleep"), {"Habits": "عادات"})
    code, _, err = run_cli(project, "update")
    assert code == 0, err
    return project


def break_line(path, line_number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line_number - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def line_of(path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines.index(text) + 1


def test_malformed_po_is_reported_and_left_alone_and_others_are_updated(updated, run_cli):
    es = po_path(updated, "es", "sleep")
    bad_line = line_of(es, 'msgstr "Hábitos"')
    break_line(es, bad_line, 'msgstr "Hábitos')  # unterminated string
    broken = es.read_bytes()
    age(es)
    replace_in(updated / "source" / "sleep.md", "every day", "each day")
    code, _, err = run_cli(updated, "extract")
    assert code == 0, err

    code, _, err = run_cli(updated, "update")
    assert code == 1
    issue = one_issue(err, "po-syntax")
    assert (issue["path"], issue["line"], issue["severity"]) == (
        "locales/es/LC_MESSAGES/sleep.po", str(bad_line), "error")
    assert es.read_bytes() == broken
    assert es.stat().st_mtime_ns == 1_000_000_000 * 10**9
    # The other locale and the other article were still merged.
    ar = read_po(po_path(updated, "ar", "sleep"))
    assert "Go to bed at the same time each day. Keep your bedroom dark and quiet." in \
        [e.msgid for e in ar]
    assert ar.find("Habits").msgstr == "عادات"
    assert po_path(updated, "es", "water").exists()
    no_temp_files(updated)


def test_duplicate_entry_in_po_is_reported_and_left_alone(updated, run_cli):
    ar = po_path(updated, "ar", "water")
    ar.write_text(ar.read_text(encoding="utf-8") + '\nmsgid "Tips"\nmsgstr "نصائح"\n',
                  encoding="utf-8")
    before = ar.read_bytes()
    code, _, err = run_cli(updated, "update")
    assert code == 1
    issue = one_issue(err, "po-syntax")
    assert issue["path"] == "locales/ar/LC_MESSAGES/water.po"
    assert int(issue["line"]) > 0
    assert ar.read_bytes() == before
    no_temp_files(updated)


def test_catalog_that_cannot_be_read_is_reported_not_a_crash(updated, run_cli):
    es = po_path(updated, "es", "water")
    es.unlink()
    es.mkdir()  # something that is not a readable file, even for root
    replace_in(updated / "source" / "sleep.md", "every day", "each day")
    code, _, err = run_cli(updated, "extract")
    assert code == 0, err
    code, out, err = run_cli(updated, "update")
    assert code == 1
    assert "Traceback" not in err
    issue = one_issue(err, "unreadable")
    assert issue["path"] == "locales/es/LC_MESSAGES/water.po"
    assert "each day" in " ".join(msgids(po_path(updated, "es", "sleep")))
    no_temp_files(updated)


def test_update_without_templates(project, run_cli):
    code, _, err = run_cli(project, "update")
    assert code == 1
    issue = one_issue(err, "no-templates")
    assert issue["path"] == "locales"


def test_update_for_a_locale_not_in_the_config(project, run_cli):
    code, _, err = run_cli(project, "extract")
    assert code == 0, err
    code, _, err = run_cli(project, "update", "-l", "fr")
    assert code == 1
    issue = one_issue(err, "unknown-locale")
    config = (project / "pipeline.toml").read_text(encoding="utf-8").splitlines()
    assert issue["path"] == "pipeline.toml"
    assert config[int(issue["line"]) - 1].startswith("locales = [")
    # The exact line to write, as sphinx-intl users expect `-l` to start a language.
    assert issue["message"] == ("locale 'fr' is not in project.locales; to add it, write in "
                                '[project]: locales = ["es", "ar", "fr"]'), err
    assert not (project / "locales" / "fr").exists()
    replace_in(project / "pipeline.toml", config[int(issue["line"]) - 1],
               issue["message"].split("[project]: ")[1])
    code, _, err = run_cli(project, "update", "-l", "fr")
    assert code == 0, err
    assert (project / "locales" / "fr" / "LC_MESSAGES" / "sleep.po").exists()


# -- usage errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("frobnicate",), (), ("update", "--frob"), ("update", "-l")])
def test_usage_errors_exit_2(project, run_cli, args):
    code, out, err = run_cli(project, *args)
    assert code == 2
    assert "usage: pipeline" in err
    assert not (project / "locales").exists()


def test_missing_project_folder_exits_2(tmp_path, run_cli):
    code, out, err = run_cli(tmp_path / "nowhere", "extract")
    assert code == 2
    assert f"-C {tmp_path / 'nowhere'}: no such folder" in err


def test_error_line_is_right_when_the_header_also_needed_fixing(updated, run_cli):
    """The header is repaired before merging; the reported line is still the file's line."""
    ar = po_path(updated, "ar", "sleep")
    text = ar.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms:')
    end = text.index("\n\n", start)
    ar.write_text(text[:start] + text[end + 1:], encoding="utf-8")  # drop the 2-line field
    bad_line = line_of(ar, 'msgstr "عادات"')
    break_line(ar, bad_line, 'msgstr "عادات')
    before = ar.read_bytes()
    code, _, err = run_cli(updated, "update")
    assert code == 1
    issue = one_issue(err, "po-syntax")
    assert (issue["path"], issue["line"]) == ("locales/ar/LC_MESSAGES/sleep.po", str(bad_line))
    assert ar.read_bytes() == before


def test_failed_write_leaves_no_temp_files_and_the_old_catalog(updated, run_cli, monkeypatch,
                                                               capsys):
    """In-process, so that a write can fail even for root: the disk 'fills up' for ar."""
    import errno

    from pipeline import cli, fsutil

    real_replace = fsutil.os.replace

    def replace(src, dst):
        if "/ar/" in str(dst):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst)

    replace_in(updated / "source" / "sleep.md", "every day", "each day")
    code, _, err = run_cli(updated, "extract")
    assert code == 0, err
    ar = po_path(updated, "ar", "sleep")
    before = ar.read_bytes()
    monkeypatch.setattr(fsutil.os, "replace", replace)
    assert cli.main(["-C", str(updated), "-q", "update"]) == 1
    err = capsys.readouterr().err
    issue = one_issue(err, "unwritable")
    assert issue["path"] == "locales/ar/LC_MESSAGES/sleep.po"
    assert issue["message"] == "cannot write: No space left on device"
    assert "Traceback" not in err
    assert ar.read_bytes() == before
    assert "each day" in " ".join(msgids(po_path(updated, "es", "sleep")))
    no_temp_files(updated)


def test_a_catalog_being_replaced_is_synced_before_the_rename(project, run_cli, monkeypatch):
    """A power cut must not leave an empty file where a translator's catalog was: a PO that
    is replaced is fsynced before the rename. New catalogs (derived from the template and
    checked by content next time) skip it: a new library creates thousands at once."""
    from pipeline import cli, fsutil

    synced = []
    real_fsync = fsutil.os.fsync

    def fsync(fd):
        name = os.readlink(f"/proc/self/fd/{fd}")
        synced.append(os.path.basename(name).split(".")[1])  # .sleep.po.<tag>.tmp
        return real_fsync(fd)

    monkeypatch.setattr(fsutil.os, "fsync", fsync)
    assert cli.main(["-C", str(project), "-q", "extract"]) == 0
    assert cli.main(["-C", str(project), "-q", "update"]) == 0
    assert not [name for name in synced if name in ("sleep", "water")]
    translate(po_path(project, "es", "sleep"), {"Habits": "Hábitos"})
    replace_in(project / "source" / "sleep.md", "every day", "each day")
    synced.clear()
    assert cli.main(["-C", str(project), "-q", "extract"]) == 0
    assert cli.main(["-C", str(project), "-q", "update"]) == 0
    assert synced.count("sleep") == 3  # the template, and the es and ar catalogs
    assert "water" not in synced  # unchanged: not written at all
    assert read_po(po_path(project, "es", "sleep")).find("Habits").msgstr == "Hábitos"


# -- inputs validated at the door (red-team findings 9 and 10) ---------------------------------

ALIAS_BOMB = """\
---
title: Bomb
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
notes: [*f, *f, *f, *f, *f, *f, *f, *f, *f]
---

Text.
"""


@pytest.mark.parametrize("front, line, kind", [
    (ALIAS_BOMB, 3, "anchors (&name)"),
    ("---\ntitle: &t Water\nsubtitle: *t\n---\n\nText.\n", 2, "anchors (&name)"),
    ("---\ntitle: Water\nsubtitle: *t\n---\n\nText.\n", 3, None),  # an unknown alias
], ids=["bomb", "anchor", "alias"])
def test_yaml_anchors_and_aliases_are_refused_quickly_at_their_line(project, run_cli, front,
                                                                    line, kind):
    import time

    write_source(project, "source/bomb.md", front)
    started = time.monotonic()
    code, _, err = extract(project, run_cli)
    assert time.monotonic() - started < 20  # it was 35 s and a MemoryError
    assert code == 1
    assert "Traceback" not in err
    issue = one_issue(err, "front-matter")
    assert (issue["path"], issue["line"]) == ("source/bomb.md", str(line))
    if kind:
        assert issue["message"] == (f"YAML front matter: {kind} are not allowed; write the "
                                    "value out")
    assert_sleep_extracted(project)


def test_front_matter_larger_than_any_real_one_is_refused(project, run_cli):
    from pipeline.stages.front_matter import MAX_FRONT_MATTER

    notes = "".join(f"  - note {n} {'x' * 60}\n" for n in range(MAX_FRONT_MATTER // 70 + 1))
    write_source(project, "source/big.md", f"---\ntitle: Big\nnotes:\n{notes}---\n\nText.\n")
    code, _, err = extract(project, run_cli)
    assert code == 1
    issue = one_issue(err, "front-matter")
    assert (issue["path"], issue["line"]) == ("source/big.md", "1")
    assert issue["message"].endswith(f"at most {MAX_FRONT_MATTER:,} are read")
    assert_sleep_extracted(project)


@pytest.mark.parametrize("value", ["2013-02-30", "'2013-02-30'", "!!int 0x", "!!timestamp 1-"])
def test_a_front_matter_value_yaml_cannot_make_is_an_error_not_a_crash(project, run_cli, value):
    replace_in(project / "source" / "water.md", "title: Drinking Water\n",
               f"title: Drinking Water\nreviewed: {value}\n")
    code, _, err = extract(project, run_cli)
    assert code == 1
    assert "Traceback" not in err
    issue = one_issue(err, "front-matter")
    assert issue["path"] == "source/water.md"
    assert_sleep_extracted(project)


@pytest.mark.parametrize("lang", ["sp", "../../evil", "12", "[en]", "en/../../x",
                                  "en@../../evil"])
@pytest.mark.parametrize("command", ["extract", "build"])
def test_an_unknown_lang_is_an_error_at_its_line_and_the_others_build(project, run_cli, lang,
                                                                      command):
    replace_in(project / "source" / "water.md", "title: Drinking Water\n",
               f"title: Drinking Water\nlang: {lang}\n")
    args = ("--no-audio",) if command == "build" else ()
    code, _, err = run_cli(project, command, *args)
    assert code == 1
    assert "Traceback" not in err
    found = [i for i in issues(err) if i["path"] == "source/water.md"]
    assert [(i["line"], i["code"]) for i in found] == [("3", "front-matter")], err
    assert found[0]["message"].startswith("'lang' must be a known language code")
    if command == "extract":
        assert_sleep_extracted(project)
        assert not pot_path(project, "water").exists()
    else:
        assert (project / "output" / "en" / "sleep.html").is_file()
        assert not (project / "output" / "en" / "water.html").exists()
        assert not list(project.parent.rglob("evil*"))


@pytest.mark.parametrize("key, old, new", [
    ("project.locales", 'locales = ["es", "ar"]', 'locales = ["es", "es@../../evil"]'),
    ("project.source_language", 'source_language = "en"', 'source_language = "en@../x"'),
])
def test_a_locale_code_that_names_a_path_is_a_config_error(project, run_cli, key, old, new):
    replace_in(project / "pipeline.toml", old, new)
    code, _, err = run_cli(project, "build", "--no-audio")
    assert code == 1
    issue = one_issue(err, "config-key")
    assert issue["message"].startswith(f"{key}: unknown locale code")
    assert not (project / "output").exists()
    assert not list(project.parent.rglob("*evil*"))


def test_the_source_language_in_locales_is_a_config_error_naming_the_key(project, run_cli):
    replace_in(project / "pipeline.toml", 'locales = ["es", "ar"]', 'locales = ["es", "en"]')
    code, _, err = run_cli(project, "build", "--no-audio")
    assert code == 1
    assert err.splitlines()[0] == (
        "pipeline.toml:5: error: project.locales: lists the source language 'en'; "
        "project.source_language is always built, remove it from locales [config-key]")
    assert not (project / "output").exists()


@pytest.mark.parametrize("kind", ["list", "quote", "mixed"])
def test_markdown_nested_too_deep_is_an_error_at_its_line(project, run_cli, kind):
    from pipeline.stages.read import MAX_NESTING

    depth = 2 * MAX_NESTING + 5  # markdown-it used to drop everything below level 20
    if kind == "list":
        body = "".join("  " * i + f"- item {i}\n" for i in range(depth))
        line = 7 + MAX_NESTING  # the first item too deep
    elif kind == "quote":
        body = "> " * depth + "deep text\n"
        line = 7
    else:
        body = "".join(("> " * i if i % 2 else "") + "  " * (i // 2) + f"- item {i}\n"
                       for i in range(3)) + "> " * depth + "- deep\n"
        line = 10
    write_source(project, "source/deep.md", f"---\ntitle: Deep\n---\n\nIntro.\n\n{body}")
    code, _, err = extract(project, run_cli)
    assert code == 1
    issue = one_issue(err, "nesting")
    assert (issue["path"], issue["line"], issue["severity"]) == ("source/deep.md", str(line),
                                                                 "error")
    assert issue["message"].startswith(f"lists and block quotes are nested more than "
                                       f"{MAX_NESTING} levels deep")
    assert_sleep_extracted(project)


def test_markdown_nested_to_the_limit_keeps_every_item(project, run_cli):
    from pipeline.stages.read import MAX_NESTING

    body = "".join("  " * i + f"- item {i}\n" for i in range(MAX_NESTING))
    write_source(project, "source/deep.md", f"---\ntitle: Deep\n---\n\nIntro.\n\n{body}")
    code, _, err = extract(project, run_cli)
    assert code == 0, err
    assert all(f"item {i}" in msgids(pot_path(project, "deep")) for i in range(MAX_NESTING))


def test_an_oversized_source_is_refused_at_line_1_without_reading_it(project, run_cli):
    import time

    from pipeline.stages.read import MAX_SOURCE_BYTES

    write_source(project, "source/huge.md", "---\ntitle: Huge\n---\n\n" +
                 "Water is good for you. " * (10 * MAX_SOURCE_BYTES // 23))
    started = time.monotonic()
    code, _, err = extract(project, run_cli)
    assert time.monotonic() - started < 20  # it was 194 s and 2.3 GB
    assert code == 1
    issue = one_issue(err, "too-large")
    assert (issue["path"], issue["line"]) == ("source/huge.md", "1")
    assert issue["message"] == ("the file is 20.0 MB; sources are limited to 2 MB (split the "
                                "article)")
    assert_sleep_extracted(project)
    code, _, err = run_cli(project, "import", str(project / "source" / "huge.md"))
    assert code == 1
    assert one_issue(err, "too-large")["line"] == "1"


def test_the_source_size_limit_is_exact(tmp_path, monkeypatch):
    import io

    from pipeline.report import ContentError, Reporter
    from pipeline.stages import read

    path = tmp_path / "source" / "water.md"
    write_source(tmp_path, "source/water.md", "---\ntitle: Water\n---\n\nText.\n")
    monkeypatch.setattr(read, "MAX_SOURCE_BYTES", path.stat().st_size)
    reporter = Reporter(io.StringIO())
    assert read.read_article(path, "source/water.md", "en", reporter).title.text == "Water"
    monkeypatch.setattr(read, "MAX_SOURCE_BYTES", path.stat().st_size - 1)
    with pytest.raises(ContentError) as caught:
        read.read_article(path, "source/water.md", "en", reporter)
    assert caught.value.issue.code == "too-large"
