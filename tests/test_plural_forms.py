"""Plural-Forms are the project's, not a dependency's (pipeline/plurals.py): new catalogs get the
pinned table's rule, `update` never rewrites an existing one, and `check` warns where a catalog
differs from the table."""
from __future__ import annotations

import subprocess

import pytest

from catalog_helpers import (ISSUE_RE, msgfmt_check, po_path, read_po, replace_in,
                             translate_everything)
from pipeline.locales import locale_info
from pipeline.plurals import plural_forms_differ, plural_forms_for

# What GNU msginit (gettext 0.21) writes for these languages, spelled as it spells them.
GNU_MSGINIT = {
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "vi": "nplurals=1; plural=0;",
    "ja": "nplurals=1; plural=0;",
    "ru": ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
           "(n%100<10 || n%100>=20) ? 1 : 2);"),
}
# Babel 2.19's CLDR-derived rules, which a fresh install used to write into every catalog.
BABEL_219_ES = "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"
BABEL_OLD_AR = ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
                ": n%100>=0 && n%100<=2 ? 4 : 5);")


def _sync(root, run_cli):
    for command in ("extract", "update"):
        code, _, err = run_cli(root, command)
        assert code == 0, err


@pytest.mark.parametrize("code", sorted(GNU_MSGINIT))
def test_the_table_agrees_with_gnu_msginit(code):
    assert plural_forms_for(code) == GNU_MSGINIT[code]
    assert locale_info(code).plural_forms == GNU_MSGINIT[code]


def test_gnu_msginit_on_this_machine_agrees_where_it_has_a_rule(tmp_path):
    pot = tmp_path / "t.pot"
    pot.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n')
    for code in ("es", "ru", "vi", "fr"):
        out = subprocess.run(["msginit", "--no-translator", "-i", str(pot), "-l", code,
                              "-o", "-"], capture_output=True, text=True, check=True).stdout
        header = "".join(line.strip('"').replace("\\n", "\n") for line in out.splitlines()
                         if line.startswith('"'))
        rule = next(line for line in header.splitlines() if line.startswith("Plural-Forms:"))
        assert rule == f"Plural-Forms: {plural_forms_for(code)}", code


def test_regional_and_script_codes_use_their_language_and_tagalog_keeps_its_own_rule():
    assert plural_forms_for("zh_Hans") == "nplurals=1; plural=0;"
    assert plural_forms_for("es_MX") == plural_forms_for("es")
    assert plural_forms_for("pt_BR") == "nplurals=2; plural=(n > 1);"
    # Babel maps tl to Filipino (its CLDR rule); Tagalog catalogs keep (n != 1).
    assert locale_info("tl").plural_forms == "nplurals=2; plural=(n != 1);"
    assert locale_info("tl").tag == "tl"
    assert locale_info("ar").plural_forms.startswith("nplurals=6; plural=(n==0 ? 0 :")
    assert plural_forms_for("xx") is None


def test_spacing_and_parentheses_do_not_count_as_a_difference():
    assert plural_forms_differ("es", "nplurals=2; plural=n != 1;") is None
    assert plural_forms_differ("es", "nplurals=2;plural=(n!=1)") is None
    assert plural_forms_differ("es", BABEL_219_ES) == GNU_MSGINIT["es"]
    assert plural_forms_differ("ar", BABEL_OLD_AR) == plural_forms_for("ar")
    assert plural_forms_differ("xx", "nplurals=9; plural=n;") is None  # no rule: no opinion


def test_new_catalogs_take_the_table_and_have_no_placeholders(project, run_cli):
    replace_in(project / "pipeline.toml", 'locales = ["es", "ar"]',
               'locales = ["es", "ar", "tl", "ru"]')
    _sync(project, run_cli)
    for code in ("es", "ar", "tl", "ru"):
        po = po_path(project, code, "sleep")
        assert read_po(po).metadata["Plural-Forms"] == plural_forms_for(code)
        text = po.read_text(encoding="utf-8")
        for placeholder in ("YEAR-MO-DA", "FULL NAME", "EMAIL@ADDRESS", "LANGUAGE <"):
            assert placeholder not in text, (code, placeholder)
        # --check-header warns about every placeholder msginit would leave; none here.
        done = subprocess.run(["msgfmt", "--check", "-v", "-o", "/dev/null", str(po)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "warning" not in done.stderr, done.stderr
        pot_date = read_po(project / "locales" / "sleep.pot").metadata["POT-Creation-Date"]
        assert read_po(po).metadata["PO-Revision-Date"] == pot_date  # same input, same bytes


PLURAL_ENTRY = ('\n#, c-format\nmsgid "%d tablet"\nmsgid_plural "%d tablets"\n'
                'msgstr[0] "%d tableta"\nmsgstr[1] "%d tabletas"\nmsgstr[2] "%d de tabletas"\n')


@pytest.mark.parametrize("rule", [BABEL_219_ES, GNU_MSGINIT["es"]])
def test_update_keeps_an_existing_plural_forms_byte_for_byte(project, run_cli, rule):
    """The catalog a translator made with Babel 2.19's three Spanish forms keeps them, and its
    plural entry keeps all three translations, whatever the project's table says."""
    _sync(project, run_cli)
    po = po_path(project, "es", "sleep")
    translate_everything(po, "es")
    text = po.read_text(encoding="utf-8")
    header_line = next(line for line in text.splitlines() if line.startswith('"Plural-Forms'))
    text = text.replace(header_line, f'"Plural-Forms: {rule}\\n"')
    if rule == BABEL_219_ES:
        text += PLURAL_ENTRY  # not in the template: msgmerge keeps it as obsolete
    po.write_text(text, encoding="utf-8")
    _sync(project, run_cli)
    after = po.read_bytes()
    header = after.decode("utf-8").split("\n\n")[0]
    joined = "".join(line[1:-1] for line in header.splitlines() if line.startswith('"'))
    assert f"Plural-Forms: {rule}\\n" in joined  # the value, byte for byte (GNU may rewrap)
    assert read_po(po).metadata["Plural-Forms"] == rule
    if rule == BABEL_219_ES:  # the plural entry keeps its three forms
        assert after.count(b"msgstr[2]") == 1 and b"%d de tabletas" in after
    _sync(project, run_cli)
    assert po.read_bytes() == after  # and a second update changes nothing
    msgfmt_check(po)


def test_check_warns_at_the_header_line_and_says_what_the_table_expects(project, run_cli):
    _sync(project, run_cli)
    po = po_path(project, "es", "sleep")
    text = po.read_text(encoding="utf-8")
    header_line = next(line for line in text.splitlines() if line.startswith('"Plural-Forms'))
    po.write_text(text.replace(header_line, f'"Plural-Forms: {BABEL_219_ES}\\n"'),
                  encoding="utf-8")
    line = 1 + po.read_text(encoding="utf-8").splitlines().index(f'"Plural-Forms: {BABEL_219_ES}\\n"')
    code, out, err = run_cli(project, "check", "-l", "es")
    assert code == 0, err  # a warning
    issues = [m.groupdict() for m in map(ISSUE_RE.match, err.splitlines()) if m]
    plural = [i for i in issues if i["code"] == "plural-forms"]
    assert len(plural) == 1, err
    assert plural[0]["path"].endswith("locales/es/LC_MESSAGES/sleep.po")
    assert int(plural[0]["line"]) == line
    assert plural[0]["severity"] == "warning"
    assert GNU_MSGINIT["es"] in plural[0]["message"]
    code, _, _ = run_cli(project, "--strict", "check", "-l", "es")
    assert code == 1
