"""One publish verdict (pipeline/verdict.py): for every check at every severity, the page, the
`stats` counts and the review page agree on whether a translation is published. Interface
text (_site.po) follows the same verdict."""
from __future__ import annotations

import json
import re

import pytest

from test_checks import (GLOSSARY_ES, MEDICINE_ES, PROBLEMS, elements_with_text,  # noqa: F401
                         fill, nearest_lang, norm, ok, parse_html, po_file, quality,
                         quality_base, run, set_toml)
from test_review import rows

# One planted problem per check code (the first PROBLEMS entry with that code).
CASES = {}
for _id, _msgid, _msgstr, _code, _default, _words in PROBLEMS:
    CASES.setdefault(_code, (_msgid, _msgstr))


def _plain(text: str) -> str:
    return norm(re.sub(r"</?(?:em|a1)>", "", text))


def _published_on_page(root, msgid: str, msgstr: str) -> bool:
    """True when the page shows the msgstr in Spanish, False when it shows the source marked
    as English (an unchanged msgstr is the same text: the language mark tells them apart)."""
    doc = parse_html(root / "output" / "es" / "medicine.html")
    translated = [e for e in elements_with_text(doc, _plain(msgstr)) if nearest_lang(e) == "es"]
    source = [e for e in elements_with_text(doc, _plain(msgid)) if nearest_lang(e) == "en"]
    assert bool(translated) != bool(source), (translated, source)
    return bool(translated)


@pytest.mark.parametrize("severity", ["error", "warning", "off"])
@pytest.mark.parametrize("code", sorted(CASES))
def test_page_stats_and_review_page_agree(quality, code, severity):
    msgid, bad = CASES[code]
    (quality / "locales" / "es" / "glossary.po").write_text(GLOSSARY_ES, encoding="utf-8")
    set_toml(quality, f'[build]\npublish_threshold = 0\n\n[checks]\n"{code}" = "{severity}"')
    fill(po_file(quality, "es", "medicine"), {**MEDICINE_ES, msgid: bad})
    ok(quality, "build", "--no-audio", "-l", "es")
    code_, out, err = run(quality, "stats", "--format", "json", "-l", "es")
    stats = next(r for r in json.loads(out[:out.rindex("]") + 1]) if r["article"] == "medicine")

    shown = _published_on_page(quality, msgid, bad)
    review = rows(quality / "output" / "_review" / "es" / "medicine.html").values()
    status = next(r["status"] for r in review
                  if norm(r["source"].text_content()) == norm(msgid))
    counted_failing = stats["failing"] == 1
    assert stats["translated"] + stats["failing"] == stats["strings"]  # all else translated

    # Markup is always enforced (translated text is untrusted); other checks block at "error".
    published = code != "markup" and severity != "error"
    assert shown is published, (code, severity)
    assert counted_failing is not published, (code, severity, stats)
    assert status.startswith("translated") is published, (code, severity, status)
    assert status.startswith("failing") is not published, (code, severity, status)


def test_interface_text_follows_the_same_verdict(quality):
    """A _site.po entry that fails an error-severity check is shown in English, with the same
    warning the page text gets; at warning severity it is shown."""
    site_po = po_file(quality, "es", "_site")
    text = site_po.read_text(encoding="utf-8")
    msgid = "Skip to main content"
    assert f'msgid "{msgid}"\nmsgstr ""' in text
    bad = "Saltar al contenido principal 2"  # a number the source does not have
    fill(site_po, {msgid: bad})
    set_toml(quality, "[build]\npublish_threshold = 0")
    ok(quality, "build", "--no-audio", "-l", "es")
    page = (quality / "output" / "es" / "rest.html").read_text(encoding="utf-8")
    assert bad not in page and msgid in page
    set_toml(quality, '[checks]\nnumbers = "warning"')
    ok(quality, "build", "--no-audio", "-l", "es")
    page = (quality / "output" / "es" / "rest.html").read_text(encoding="utf-8")
    assert bad in page
