"""``[speech]`` warnings and the speech lexicon file (issue 14, items 3 and 4).

``check`` and ``build`` report the tokens the voice will probably misread at the line a
translator fixes (the msgstr's PO line, or the source line), one per kind of token per
string, with the severity ``[checks] speech`` sets; a broken ``locales/<ll>/speech.po`` is
reported at its line while the other locales build; ``update`` creates an empty, valid
lexicon for each spoken locale once and never rewrites one.

The project is tests/projects/site/ (hydration, es and ar, complete catalogs); builds are
``--no-audio``: the warnings do not depend on synthesis.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from catalog_helpers import issues
from conftest import cli, copy_project
from test_checks import msgstr_line

MSGID = "Drink a glass with each meal"
MSGSTR = "Beba un vaso con cada comida"
# Two unknown acronyms in one string: one warning, naming both.
WITH_ACRONYMS = "Beba un vaso con cada comida (consejo de la SEMFYC y la AEPQ)"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_project("site", tmp_path / "site")


def _po(root: Path) -> Path:
    return root / "locales" / "es" / "LC_MESSAGES" / "hydration.po"


def _plant(root: Path, msgstr: str = WITH_ACRONYMS) -> int:
    po = _po(root)
    text = po.read_text(encoding="utf-8")
    assert text.count(f'msgstr "{MSGSTR}"\n') == 1
    po.write_text(text.replace(f'msgstr "{MSGSTR}"\n', f'msgstr "{msgstr}"\n'),
                  encoding="utf-8")
    return msgstr_line(po, MSGID)


def _speech(err: str) -> list[tuple[str, int, str, str]]:
    return [(i["path"], int(i["line"] or 0), i["severity"], i["message"])
            for i in issues(err) if i["code"] == "speech"]


def _config(root: Path, extra: str) -> None:
    path = root / "pipeline.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")


def test_an_unknown_acronym_in_a_msgstr_is_reported_at_its_line(site):
    line = _plant(site)
    rel = "locales/es/LC_MESSAGES/hydration.po"
    code, out, err = cli(site, "check")
    assert code == 0, err
    found = _speech(err)
    assert [(p, n, s) for p, n, s, _ in found] == [(rel, line, "warning")], err
    message = found[0][3]
    assert "'SEMFYC'" in message and "'AEPQ'" in message and "acronym" in message
    assert f"{rel}:{line}: warning: " in err and err.count("[speech]") == 1
    for run in range(2):  # the second build reuses the localize job and replays its warning
        code, out, err = cli(site, "build", "--no-audio")
        assert code == 0, err
        assert [(p, n, s) for p, n, s, _ in _speech(err)] == [(rel, line, "warning")], err
    assert "unchanged" in out, out
    # the page shows the translation: a speech warning never withholds text
    page = (site / "output" / "es" / "hydration.html").read_text(encoding="utf-8")
    assert "SEMFYC" in page


def test_strict_fails_on_a_speech_warning(site):
    _plant(site)
    code, _, err = cli(site, "check", "--strict")
    assert code == 1 and _speech(err), err
    code, _, err = cli(site, "build", "--no-audio", "--strict")
    assert code == 1 and _speech(err), err


@pytest.mark.parametrize("severity", ["off", "error"])
def test_the_severity_comes_from_pipeline_toml(site, severity):
    line = _plant(site)
    _config(site, f'[checks]\nspeech = "{severity}"\n')
    for command in (("check",), ("build", "--no-audio")):
        code, _, err = cli(site, *command)
        found = [(n, s) for _, n, s, _ in _speech(err)]
        if severity == "off":
            assert code == 0 and found == [], err
        else:
            assert code == 1 and found == [(line, "error")], err
    if severity == "error":  # an error fails the command but the page keeps its text
        page = (site / "output" / "es" / "hydration.html").read_text(encoding="utf-8")
        assert "SEMFYC" in page


def test_fallback_text_is_reported_once_at_the_source_line(site):
    source = site / "source" / "hydration.md"
    text = source.read_text(encoding="utf-8")
    # and a citation's capitals (authors' initials) are not reported at all
    source.write_text(text.replace("Dark urine,", "Dark urine (see the QZXW chart),")
                      .replace("Doe A.", "Doe AQ."), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Dark urine," in row)
    for command in (("check",), ("build", "--no-audio")):
        code, _, err = cli(site, *command)
        found = [(p, n) for p, n, _, _ in _speech(err)]
        # es and ar show the source text (its msgid changed): not reported again there
        assert found == [("source/hydration.md", line)], err


def test_a_lexicon_entry_silences_the_warning_and_the_build_sees_the_edit(site):
    _plant(site)
    code, _, err = cli(site, "build", "--no-audio")
    assert len(_speech(err)) == 1, err
    lexicon = site / "locales" / "es" / "speech.po"
    lexicon.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                       'msgctxt "acronym"\nmsgid "SEMFYC"\nmsgstr "semfic"\n\n'
                       'msgctxt "acronym"\nmsgid "AEPQ"\nmsgstr "a e pe cu"\n',
                       encoding="utf-8")
    code, _, err = cli(site, "build", "--no-audio", "--explain")
    assert code == 0, err
    assert _speech(err) == [], err
    assert "explain: localize:es:hydration: changed: speech" in err, err
    code, _, err = cli(site, "check")
    assert code == 0 and _speech(err) == [], err


BROKEN = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
          'msgctxt "acronym"\nmsgid "SEMFYC\nmsgstr "semfic"\n')


def test_a_malformed_speech_po_is_reported_at_its_line_and_the_others_build(site):
    _plant(site)
    (site / "locales" / "es" / "speech.po").write_text(BROKEN, encoding="utf-8")
    for command in (("check",), ("build", "--no-audio")):
        code, out, err = cli(site, *command)
        lexicon = [i for i in issues(err) if i["code"] == "speech-lexicon"]
        assert [(i["path"], i["line"], i["severity"]) for i in lexicon] == [
            ("locales/es/speech.po", "5", "error")], err
        assert code == 1, err
        # A broken lexicon is the one thing reported for its locale: raw text is spoken.
        assert _speech(err) == [], err
    for lang in ("en", "es", "ar"):
        assert (site / "output" / lang / "hydration.html").is_file(), out + err


def _update(root: Path, *args: str) -> str:
    code, out, err = cli(root, "update", *args)
    assert code == 0, err
    return out


def test_update_creates_each_spoken_locales_lexicon_once_and_never_rewrites_it(site):
    out = _update(site)
    assert "3 speech lexicon(s) created" in out, out
    made = {lang: site / "locales" / lang / "speech.po" for lang in ("en", "es", "ar")}
    first = {lang: path.read_bytes() for lang, path in made.items()}
    text = first["ar"].decode("utf-8")
    assert '"Language: ar\\n"' in text and '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    assert '"Plural-Forms: nplurals=6;' in text and "msgctxt" in text  # in the comment
    for kind in ("unit", "abbreviation", "acronym", "term", "rule"):
        assert f"#   {kind} " in text
    assert "overrides the built-in" in text and "\nmsgid \"\"\nmsgstr \"\"\n" in text
    assert text.count("\nmsgid ") == 1  # no entries
    # the same bytes in another copy of the project: no clock in them
    other = copy_project("site", site.parent / "other")
    _update(other)
    assert (other / "locales" / "es" / "speech.po").read_bytes() == first["es"]
    out = _update(site)
    assert "speech lexicon" not in out, out
    assert {lang: path.read_bytes() for lang, path in made.items()} == first
    # a translator's edit, in any form, is never rewritten
    edited = first["es"].replace(b"\n", b"\r\n") + (
        b'\r\n#, fuzzy\r\nmsgctxt "acronym"\r\nmsgid "UCI"\r\nmsgstr ""\r\n"u ce i"\r\n')
    made["es"].write_bytes(edited)
    _update(site)
    code, _, err = cli(site, "update", "--check")
    assert made["es"].read_bytes() == edited


def test_update_check_notes_a_missing_lexicon_and_writes_nothing(site):
    code, out, err = cli(site, "update", "--check")
    notes = [line for line in err.splitlines() if "[speech-lexicon]" in line]
    assert len(notes) == 3 and all(": note: " in line for line in notes), err
    assert not list(site.glob("locales/*/speech.po"))


def test_a_voiceless_locale_gets_no_lexicon(site):
    _config(site, '[audio]\nvoices = { ar = "" }\n')
    _update(site)
    assert not (site / "locales" / "ar" / "speech.po").exists()
    assert (site / "locales" / "es" / "speech.po").exists()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("lang", ["en", "es", "ar", "ru", "zh_Hans", "vi", "ht"])
def test_msgfmt_check_accepts_a_new_lexicon(tmp_path, lang):
    from pipeline.stages.speech_po import new_speech_po

    path = tmp_path / "speech.po"
    path.write_bytes(new_speech_po(lang, "Test Library"))
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from pipeline.speech_text.lexicon import load_lexicon

    (tmp_path / lang).mkdir()
    path.rename(tmp_path / lang / "speech.po")
    lexicon = load_lexicon(lang, tmp_path)
    assert lexicon.usable and lexicon.issues == ()


def test_check_validates_the_lexicon_with_msgfmt(site):
    """What only GNU msgfmt --check finds (a format string the msgstr breaks) is reported
    at its line too."""
    _update(site)
    path = site / "locales" / "es" / "speech.po"
    before = path.read_bytes()
    path.write_bytes(before + b'\n#, c-format\nmsgctxt "term"\nmsgid "%d/d"\n'
                     b'msgstr "por d\xc3\xada"\n')
    line = before.count(b"\n") + 4  # the msgid line
    code, _, err = cli(site, "check")
    found = [i for i in issues(err) if i["code"] == "speech-lexicon"]
    assert code == 1, err
    assert [(i["path"], i["severity"]) for i in found] == [("locales/es/speech.po", "error")]
    assert "msgfmt --check" in found[0]["message"] and int(found[0]["line"]) in (line, line + 1)


def test_text_written_in_capitals_is_not_a_list_of_acronyms():
    from pipeline.speech_text import misreadings
    from pipeline.speech_text.lexicon import load_lexicon

    lexicon = load_lexicon("en")
    assert misreadings("TAKE THIS MEDICINE WITH FOOD EVERY MORNING.", "en", lexicon) == []
    assert misreadings("SKIN CARE", "en", lexicon) == []
    assert [m.span for m in misreadings("Ask about the XYZQ test.", "en", lexicon)] == [
        (14, 18)]
    assert [m.span for m in misreadings("XYZQ", "en", lexicon)] == [(0, 4)]
