"""XLIFF export/import (issue 17.4): every sample catalog round-trips byte for byte; a CAT
tool's edits (target text, state) arrive as msgstr and fuzzy and are published by a build;
inline tags survive as XLIFF inline elements; bad files are refused at their line."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import poxliff

from conftest import cli
from pipeline.catalogs.xliff import add_catalog, new_document, read_xliff, serialize
from pipeline.catalogs.xliff_merge import merge
from pipeline.report import ContentError
from sitekit import copy_sample_project
from test_incremental import page_text, run

PROJECT = Path(__file__).parent / "projects" / "site"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
SAMPLE_LOCALES = ["es", "zh_Hans", "vi", "ar", "ht", "ru", "tl"]


def _catalogs(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))}


def _plant_fuzzy(po: Path) -> None:
    """Two entries made fuzzy as msgmerge leaves them: one with a previous msgid."""
    text = po.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    translated = [i for i, b in enumerate(blocks[1:], 1)
                  if not re.search(r'^msgstr ""\n(?!")', b + "\n", re.M)]
    first, second = translated[1], translated[3]
    blocks[first] = re.sub(r"^msgid ", '#, fuzzy\n#| msgid "An older source text"\nmsgid ',
                           blocks[first], count=1, flags=re.M)
    blocks[second] = re.sub(r"^msgid ", "#, fuzzy\nmsgid ", blocks[second], count=1,
                            flags=re.M)
    po.write_text("\n\n".join(blocks), encoding="utf-8")


def _blank(po: Path) -> None:
    """The catalog with every translation gone and no fuzzy flags; ``#|`` lines stay (they
    are the catalog's, never the XLIFF's to restore)."""
    out = []
    for block in po.read_text(encoding="utf-8").rstrip("\n").split("\n\n"):
        if block.startswith(("#\nmsgid \"\"", "# ", "msgid \"\"")) and '"Language:' in block:
            out.append(block)
            continue
        block = re.sub(r'^msgstr(\[\d+\])? (?:".*"\n?)+', lambda m: f'msgstr{m.group(1) or ""} '
                       '""\n', block + "\n", flags=re.M).rstrip("\n")
        block = re.sub(r"^#, fuzzy\n", "", block, flags=re.M)
        out.append(block.replace("#, fuzzy, ", "#, "))
    po.write_text("\n\n".join(out) + "\n", encoding="utf-8")


def test_every_sample_catalog_round_trips_byte_for_byte(tmp_path):
    original = copy_sample_project(tmp_path / "original")
    for locale in SAMPLE_LOCALES:
        _plant_fuzzy(original / "locales" / locale / "LC_MESSAGES" / "dermatomyositis.po")
    code, out, err = cli(original, "update", "--no-memory")
    assert code == 0, out + err
    expected = _catalogs(original)
    assert len(expected) == 14 and sum(b"#, fuzzy\n#| msgid" in v for v in expected.values()) == 7
    blank = tmp_path / "blank"
    shutil.copytree(original, blank)
    for path in expected:
        _blank(blank / path)
    assert _catalogs(blank) != expected
    for locale in SAMPLE_LOCALES:
        code, out, err = cli(original, "export-xliff", "-l", locale, "-o",
                             str(tmp_path / "x" / locale))
        assert code == 0 and re.search(r"2 catalog\(s\), \d+ unit\(s\) written", out), err
        files = sorted((tmp_path / "x" / locale).glob("*.xlf"))
        assert [f.name for f in files] == [f"_site.{locale.replace('_', '-')}.xlf",
                                           f"dermatomyositis.{locale.replace('_', '-')}.xlf"]
        code, out, err = cli(blank, "import-xliff", "-l", locale, *map(str, files))
        assert code == 0 and "2 catalog(s) updated" in out and " 2 fuzzy" in out, out + err
    assert _catalogs(blank) == expected  # byte for byte, before any update
    code, out, err = cli(blank, "update", "--no-memory")
    assert code == 0 and _catalogs(blank) == expected, out + err
    for path in expected:  # and GNU gettext accepts every one
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", blank / path], check=True)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(PROJECT, target)
    return target


def _export(site: Path, locale: str = "es") -> tuple[Path, etree._ElementTree]:
    out = site.parent / f"{locale}.xlf"
    code, stdout, err = cli(site, "export-xliff", "-l", locale, "-o", str(out))
    assert code == 0, stdout + err
    return out, etree.parse(str(out))


def _unit(tree, source_start: str):
    for unit in tree.iterfind(".//x:trans-unit", NS):
        text = "".join(unit.find("x:source", NS).itertext())
        if text.startswith(source_start):
            return unit
    raise AssertionError(source_start)


def test_a_cat_tool_edit_arrives_in_the_catalog_and_is_published(site):
    run(site, audio=False)
    xlf, tree = _export(site)
    body = site / "output" / "es" / "hydration.html"
    # The inline tags are XLIFF inline elements in source and target, ids naming the tag.
    unit = _unit(tree, "Your body needs")
    target = unit.find("x:target", NS)
    assert [g.get("id") for g in unit.find("x:source", NS).iter("{*}g")] == ["em1", "a1"]
    assert [g.get("id") for g in target.iter("{*}g")] == ["em1", "a1"]
    # As a CAT tool edits: new text around the locked tags, state kept "translated".
    em, link = list(target)
    target.text, em.text, em.tail = "Su cuerpo necesita ", "AGUA FRESCA", " cada día. Lea la "
    link.text, link.tail = "guía de hidratación", "."
    # A reviewer sends another unit back for review.
    other = _unit(tree, "Water carries nutrients")
    other.find("x:target", NS).set("state", "needs-review-translation")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    code, out, err = cli(site, "import-xliff", "-l", "es", str(xlf))
    assert code == 0 and "1 translated and 1 fuzzy" in out, out + err
    po = (site / "locales/es/LC_MESSAGES/hydration.po").read_text(encoding="utf-8")
    assert ('msgstr ""\n"Su cuerpo necesita <em>AGUA FRESCA</em> cada día. Lea la <a1>guía '
            'de "\n"hidratación</a1>."') in po
    assert re.search(r"#, fuzzy\nmsgid \"\"\n\"Water carries nutrients", po)
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null",
                    site / "locales/es/LC_MESSAGES/hydration.po"], check=True)
    run(site, audio=False)
    html = page_text(body)
    assert "<em>AGUA FRESCA</em> cada día" in html and "guía de hidratación</a>" in html
    assert "transporta nutrientes" not in html  # fuzzy: never published


def test_broken_tags_and_markup_are_reported_not_refused(site):
    xlf, tree = _export(site)
    target = _unit(tree, "Your body needs").find("x:target", NS)
    link = target.find("x:g[@id='a1']", NS)
    link.getparent().remove(link)  # the translator dropped the link
    target.append(etree.fromstring(f'<g xmlns="{NS["x"]}" id="zz9">?</g>'))
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    line = target.sourceline
    code, out, err = cli(site, "import-xliff", "-l", "es", str(xlf))
    assert f"{xlf}:{line}: warning: tag <g id=\"zz9\">" in err and "[xliff-tag]" in err
    lines = (site / "locales/es/LC_MESSAGES/hydration.po").read_text().split("\n")
    start = next(n for n, text in enumerate(lines) if text.startswith('"Your body needs'))
    msgstr_line = next(n for n in range(start, len(lines))
                       if lines[n].startswith("msgstr")) + 1
    assert re.search(rf"hydration.po:{msgstr_line}: \w+: inline markup differs", err), err
    assert "1 translated" in out  # written all the same: check reports, it does not refuse


def test_unknown_units_broken_files_and_other_languages(site):
    xlf, tree = _export(site)
    unit = _unit(tree, "Your body needs")
    unit.set("id", "u0000000000000000")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    before = _catalogs(site)
    code, out, err = cli(site, "import-xliff", "-l", "es", str(xlf))
    assert f"{xlf}:{unit.find('x:target', NS).sourceline}: warning: unit 'u0000000000000000' " \
           "('Your body needs <em>water</em>" in err and "[xliff-unknown]" in err
    assert "1 unknown" in out and _catalogs(site) == before
    broken = site.parent / "broken.xlf"
    lines = xlf.read_text(encoding="utf-8").split("\n")
    number = next(n for n, text in enumerate(lines) if "</source>" in text)
    lines[number] = lines[number].replace("</source>", "</sourc>")
    broken.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = cli(site, "import-xliff", "-l", "es", str(broken))
    assert code == 1 and re.search(rf"{broken}:{number + 1}: error: broken XML: .*\[xliff-syntax\]", err)
    code, out, err = cli(site, "import-xliff", "-l", "ar", str(xlf))
    assert code == 1 and f"{xlf}:3: error: the file is for 'es' (target-language), not 'ar'" in err
    assert _catalogs(site) == before


def test_plurals_notes_states_and_odd_characters_round_trip():
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n\n'
          '# a translator\'s note\n#. Keep the {placeholders}\n#: page.html:3\n'
          '#, fuzzy, python-brace-format\n#| msgid "Listen: {x}"\nmsgid "Listen: {section}"\n'
          'msgstr "Escuchar: {section}"\n\n'
          'msgctxt "menu"\nmsgid "{n} file"\nmsgid_plural "{n} files"\n'
          'msgstr[0] "un"\nmsgstr[1] "deux"\nmsgstr[2] ""\n\n'
          'msgid "Tricky"\nmsgstr "  a\\tb\\nc \\"q\\" \\\\ \\r\x0b<br />\x01 end  "\n')
    root = new_document()
    assert add_catalog(root, "_site.po", po, "en", "fr", interface=True) == 5
    data = serialize(root)
    assert b'<ph id="p1" ctype="x-python-brace-format">{section}</ph>' in data
    assert b'state="needs-review-translation"' in data and b"<alt-trans" in data
    assert b'<note from="po-translator">a translator\'s note</note>' in data
    assert b'restype="x-gettext-plurals"' in data and b'ctype="x-char-000B"' in data
    files, targets = read_xliff(data, "t.xlf")
    assert [(t.form, t.fuzzy) for t in targets] == [(None, True), (0, False), (1, False),
                                                     (2, True), (None, False)]
    merged = merge(po, "_site.po", targets, "t.xlf")
    assert merged.changed == () and merged.unchanged == 3 and merged.empty == 1
    # Translate Toolkit's own reader understands the file: plurals, states, notes.
    store = poxliff.PoXliffFile.parsestring(data)
    units = [u for u in store.units if not u.isheader()]
    assert units[1].hasplural() and list(units[1].target.strings) == ["un", "deux", ""]
    assert units[0].isfuzzy() and not units[2].isfuzzy()
    assert "Keep the {placeholders}" in units[0].getnotes("developer")
    # A state change alone un-fuzzies and drops the previous msgid, as msgmerge does.
    edited = data.replace(b'state="needs-review-translation"', b'state="final"')
    merged = merge(po, "_site.po", read_xliff(edited, "t.xlf")[1], "t.xlf")
    assert "#, python-brace-format\nmsgid" in merged.text and "#|" not in merged.text
    assert merged.text.replace("#, python-brace-format\n", "#, fuzzy, python-brace-format\n"
                               '#| msgid "Listen: {x}"\n') == po


def test_not_xliff_1_2_is_refused(tmp_path):
    with pytest.raises(ContentError, match="not XLIFF 1.2 .XLIFF 2"):
        read_xliff(b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"/>',
                   "two.xlf")
    with pytest.raises(ContentError, match="not XLIFF 1.2 .<x>"):  # and nothing read
        read_xliff(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
                   "xxe.xlf")
