"""The sample project's catalogs hold every sentence of the seed and pass msgfmt --check."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polib

from conftest import SEED
from sitekit import copy_sample_project, run_pipeline

CHROME = {"Munson Health", "Back to Document", "Revision Information", "by Polsdorfer R"}


def seed_sentences() -> list[tuple[str, bool]]:
    """(sentence, is_citation) for every sentence of the seed's body."""
    lines = [l.strip().lstrip("•").strip() for l in SEED.read_text().splitlines()]
    body = [l for l in lines if l and l not in CHROME]
    out = []
    for line in body:
        citation = bool(re.search(r"\d{4};\d+|Accessed|website\.", line))
        for sentence in re.split(r"(?<=[.:])\s+(?=[A-Z])", line.strip("()")):
            out.append((sentence, citation))
    return out


def test_extract_and_update_hold_every_seed_sentence(tmp_path: Path):
    root = copy_sample_project(tmp_path / "p")
    for command in ("extract", "update"):
        done = run_pipeline(root, command)
        assert done.returncode == 0, done.stderr
    pot_text = " ".join(e.msgid for e in polib.pofile(str(root / "locales/dermatomyositis.pot")))
    source = re.sub(r"\s+", " ", (root / "source/dermatomyositis.md").read_text())
    source = source.replace("*", "")
    missing = []
    for sentence, citation in seed_sentences():
        # Citations stay in the source language: in the page, not sent to translators.
        haystack = source if citation else pot_text
        if sentence not in haystack:
            missing.append(sentence)
    assert not missing, missing
    assert len(seed_sentences()) > 40
    for po in sorted(root.glob("locales/**/*.po")) + [root / "locales/dermatomyositis.pot"]:
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                               capture_output=True, text=True)
        assert check.returncode == 0, (po, check.stderr)


def test_committed_catalogs_follow_the_plural_table_and_have_clean_headers():
    """Every committed catalog (sample and test projects): the project's Plural-Forms, and
    msgfmt --check -v says nothing but its counts (no placeholder left in a header)."""
    from pipeline.plurals import plural_forms_differ

    repo = Path(__file__).resolve().parents[1]
    catalogs = sorted(repo.glob("locales/*/LC_MESSAGES/*.po")) + \
        sorted(repo.glob("tests/projects/*/locales/*/LC_MESSAGES/*.po"))
    assert len(catalogs) >= 14
    for po in catalogs:
        locale = po.parent.parent.name
        rule = polib.pofile(str(po)).metadata.get("Plural-Forms", "")
        assert plural_forms_differ(locale, rule) is None, (po, rule)
        done = subprocess.run(["msgfmt", "--check", "-v", "-o", "/dev/null", str(po)],
                              capture_output=True, text=True)
        assert done.returncode == 0 and "warning" not in done.stderr, (po, done.stderr)
