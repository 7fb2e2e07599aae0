"""`pipeline update --check` compares content, not bytes: a catalog saved by polib (78-column
wrap), by Weblate without wrapping or with CRLF line ends is up to date; a stale one is named
with what changed."""
from __future__ import annotations

import pytest

from catalog_helpers import ISSUE_RE, po_path, read_po, replace_in, translate_everything


def _sync(root, run_cli):
    for command in ("extract", "update"):
        code, _, err = run_cli(root, command)
        assert code == 0, err


def _issues(err):
    return [m.groupdict() for m in map(ISSUE_RE.match, err.splitlines()) if m]


def _resave(po, style):
    if style == "polib-78":
        catalog = read_po(po)
        catalog.wrapwidth = 78
        catalog.save(str(po))
    elif style == "weblate-unwrapped":
        catalog = read_po(po)
        catalog.wrapwidth = 0  # Weblate's "no wrapping" option
        catalog.save(str(po))
    elif style == "crlf":
        po.write_bytes(po.read_bytes().replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("style", ["polib-78", "weblate-unwrapped", "crlf"])
def test_a_catalog_differing_only_in_form_is_not_stale(project, run_cli, style):
    _sync(project, run_cli)
    po = po_path(project, "es", "sleep")
    translate_everything(po, "es")
    _sync(project, run_cli)
    _resave(po, style)
    before = po.read_bytes()
    assert b"\r\n" in before or before != b""
    code, out, err = run_cli(project, "update", "--check")
    assert code == 0, out + err
    assert " note: only the formatting differs" in err and "[catalog-format]" in err
    assert "locales/es/LC_MESSAGES/sleep.po: note:" in err
    assert not [i for i in _issues(err) if i["severity"] == "error"], err
    assert "0 out of date, 1 differing only in format" in out
    assert po.read_bytes() == before  # --check writes nothing


def test_a_stale_catalog_is_named_with_what_changed(project, run_cli):
    _sync(project, run_cli)
    po = po_path(project, "es", "sleep")
    translate_everything(po, "es")
    _sync(project, run_cli)
    replace_in(project / "source" / "sleep.md", "every day", "each day")
    code, _, err = run_cli(project, "extract")
    assert code == 0, err
    code, out, err = run_cli(project, "update", "--check", "-l", "es")
    assert code == 1
    stale = [i for i in _issues(err) if i["code"] == "stale-catalog"]
    assert [i["path"] for i in stale] == ["locales/es/LC_MESSAGES/sleep.po"], err
    message = stale[0]["message"]
    assert "1 new ('Go to bed at the same time each day" in message
    assert "1 no longer in the template ('Go to bed at the same time every day" in message


def test_a_translation_edited_behind_the_template_counts_only_if_merge_changes_it(project,
                                                                                  run_cli):
    """A translator's own edit (a new msgstr) is content the merge keeps: not stale."""
    _sync(project, run_cli)
    po = po_path(project, "es", "sleep")
    translate_everything(po, "es")
    code, out, err = run_cli(project, "update", "--check", "-l", "es")
    assert code == 0, out + err
