"""`pipeline stats --analysis` (issue 17, part 2): source words of the work left per locale
and article, in match bands against the library's translation memory (rapidfuzz
fuzz.ratio), on the sample project with a second article sharing most of its strings."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from pipeline.stages.memory import Memory
from pipeline.stages.memory_analysis import band
from sitekit import copy_sample_project, run_pipeline
from test_memory import second_article

BANDS = ["repetitions", "exact", "fuzzy_95_99", "fuzzy_85_94", "fuzzy_75_84", "fuzzy_50_74",
         "new"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_sample_project(tmp_path_factory.mktemp("analysis") / "site")
    second_article(root)
    done = run_pipeline(root, "extract")
    assert done.returncode == 0, done.stderr
    return root


def analysis(root: Path, *args: str) -> dict[tuple[str, str], dict]:
    done = run_pipeline(root, "stats", "--analysis", "--format", "json", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.JSONDecoder().raw_decode(done.stdout)[0]  # the summary line follows
    return {(r["locale"], r["article"]): r for r in found}


def bands(row: dict) -> list[int]:
    return [row["words"], row["done"], *(row[b] for b in BANDS)]


def test_before_update_the_new_article_is_all_work_with_its_matches(project):
    rows = analysis(project)
    # 291 words: 245 in strings the library has translated (21 strings), the introduction
    # changed in one word (29 words, 97%), the title (3 words, 83%) and the renamed heading
    # "Medicines" (80% of "Medications"), one new sentence (13 words).
    for locale in ("es", "zh_Hans", "vi", "ar", "ht"):
        assert bands(rows[(locale, "polymyositis")]) == [291, 0, 0, 245, 29, 0, 4, 0, 13]
        assert bands(rows[(locale, "dermatomyositis")]) == [300, 300, 0, 0, 0, 0, 0, 0, 0]
    # Russian is 60% translated: the strings it lacks in the first article come again in
    # the second as repetitions within the job; the first article's own gaps are new or
    # weak matches of its translated strings.
    assert bands(rows[("ru", "dermatomyositis")]) == [300, 182, 0, 0, 0, 0, 0, 6, 112]
    assert bands(rows[("ru", "polymyositis")]) == [291, 0, 118, 127, 29, 0, 4, 0, 13]
    for row in rows.values():
        assert row["words"] == row["done"] + sum(row[b] for b in BANDS) == \
            row["done"] + row["to_translate"]


def test_after_update_prefilled_exact_strings_are_done(project, tmp_path):
    import shutil

    root = tmp_path / "site"
    shutil.copytree(project, root)
    assert run_pipeline(root, "update", "-l", "es").returncode == 0
    rows = analysis(root, "-l", "es")
    # "Medications" (1 word) was pre-filled as fuzzy (a heading there, a list item here):
    # still work, an exact match; the near matches stay in their bands.
    assert bands(rows[("es", "polymyositis")]) == [291, 244, 0, 1, 29, 0, 4, 0, 13]


def test_csv_and_table(project):
    done = run_pipeline(project, "stats", "--analysis", "--format", "csv", "-l", "es")
    rows = [r for r in csv.DictReader(io.StringIO(done.stdout)) if r["locale"] == "es"]
    assert [r["article"] for r in rows] == ["dermatomyositis", "polymyositis"]
    assert rows[1]["exact"] == "245" and rows[1]["to_translate"] == "291"
    done = run_pipeline(project, "stats", "--analysis", "-l", "es")
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["locale", "article", "words", "done", "repet.", "100%",
                                "95-99%", "85-94%", "75-84%", "50-74%", "new"]
    assert lines[3].split() == ["es", "(total)", "591", "300", "0", "245", "29", "0", "4",
                                "0", "13"]
    assert "rapidfuzz fuzz.ratio" in done.stdout
    assert "no catalog yet" in done.stderr and done.returncode == 0


@pytest.mark.parametrize("text", ["Rest when needed.", "Rest when you need to.",
                                  "Rest often.", "Drink water when needed.", "Call 911."])
def test_bands_follow_the_documented_measure(text):
    memory = Memory([("a.po", (("Rest when needed.", "Descanse.", "paragraph", 5, ""),))])
    score = int(fuzz.ratio(text, "Rest when needed."))
    expected = ("exact" if text == "Rest when needed." else
                "fuzzy_95_99" if score >= 95 else "fuzzy_85_94" if score >= 85 else
                "fuzzy_75_84" if score >= 75 else "fuzzy_50_74" if score >= 50 else "new")
    assert band(text, memory, set()) == expected
    assert band(text, memory, {text}) == "repetitions"
