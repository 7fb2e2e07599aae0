"""`pipeline extract`: source/<slug>.md -> locales/<slug>.pot (run through the real CLI)."""
from __future__ import annotations

import re

import pytest

from catalog_helpers import age, msgfmt_check, msgids, pot_path, read_po, replace_in

SLEEP_MSGIDS = [
    "Sleeping Well",  # title
    "A Short Guide",  # subtitle
    "Good sleep helps your body heal. Most adults need <em>seven to nine hours</em> of "
    "sleep each night.",
    "Habits",
    "Go to bed at the same time every day. Keep your bedroom dark and quiet.",
    "Avoid caffeine after noon",
    "Put screens away an hour before bed",
    "Keep the room cool",
    "When to Get Help",
    "Talk with your doctor if you snore loudly or often feel tired during the day.",
    "Write down how you slept for two weeks",
    "Bring the notes to your visit",
    "Learn more at the <a1>Sleep Foundation</a1>.",
    "A person asleep in a dark bedroom",
    "References",
]


@pytest.fixture
def extracted(project, run_cli):
    code, out, err = run_cli(project, "extract")
    assert code == 0, err
    assert err == ""
    assert out.startswith("extract: 2 article(s), ")
    return project


def test_one_entry_per_segment_in_source_order(extracted):
    assert msgids(pot_path(extracted, "sleep")) == SLEEP_MSGIDS
    assert msgids(pot_path(extracted, "water")) == [
        "Drinking Water",
        "Water keeps your body working. Drink when you are thirsty.",
        "Tips",
        "Carry a water bottle",
        "Drink a glass with each meal",
        "Warning Signs",
        "Dark urine can be a sign that you need more water.",
        "References",
    ]
    for entry in read_po(pot_path(extracted, "sleep")):
        assert entry.msgstr == ""


@pytest.mark.parametrize("msgid, line, comment", [
    ("Sleeping Well", 2, "Article title"),
    ("A Short Guide", 3, "Article subtitle"),
    (SLEEP_MSGIDS[2], 8, 'Section "Introduction" (introduction): paragraph\n'
                         "Keep the tags: <em>…</em> marks emphasis."),
    ("Habits", 11, "Section heading (habits)"),
    (SLEEP_MSGIDS[4], 13, 'Section "Habits" (habits): paragraph'),
    ("Avoid caffeine after noon", 15, 'Section "Habits" (habits): list item'),
    ("Keep the room cool", 17, 'Section "Habits" (habits): list item'),
    ("When to Get Help", 19, "Section heading (get-help)"),
    ("Write down how you slept for two weeks", 23,
     'Section "When to Get Help" (get-help): list item'),
    ("Bring the notes to your visit", 24, 'Section "When to Get Help" (get-help): list item'),
    ("A person asleep in a dark bedroom", 28,
     'Section "When to Get Help" (get-help): image alt text\n'
     "Describe the image for people who cannot see it."),
    ("References", 30, "Section heading (references)"),
])
def test_comments_name_section_and_role_and_references_point_at_the_line(
        extracted, msgid, line, comment):
    entry = read_po(pot_path(extracted, "sleep")).find(msgid)
    assert entry is not None
    assert entry.comment == comment
    assert entry.occurrences == [("source/sleep.md", str(line))]
    text = pot_path(extracted, "sleep").read_text(encoding="utf-8")
    assert f"#: source/sleep.md:{line}\n" in text


def test_link_url_is_only_in_a_comment(extracted):
    pot = pot_path(extracted, "sleep")
    entry = read_po(pot).find("Learn more at the <a1>Sleep Foundation</a1>.")
    assert entry is not None
    assert "https://example.org/sleep" in " ".join(entry.comment.split())
    assert entry.comment.startswith('Section "When to Get Help" (get-help): paragraph\n'
                                    "<a1>…</a1> is a link to https://example.org/sleep;")
    assert entry.occurrences == [("source/sleep.md", "26")]
    assert not any("example.org" in e.msgid for e in read_po(pot))
    assert "](" not in pot.read_text(encoding="utf-8")  # no Markdown link syntax leaks


def test_emphasis_is_an_em_tag(extracted):
    text = pot_path(extracted, "sleep").read_text(encoding="utf-8")
    assert "*seven" not in text
    assert SLEEP_MSGIDS[2] in msgids(pot_path(extracted, "sleep"))


def test_citations_are_not_in_the_template(extracted):
    for slug, citation in [("sleep", "Smith J"), ("sleep", "Journal of Rest"),
                           ("water", "Doe A"), ("water", "Hydration basics")]:
        assert citation not in pot_path(extracted, slug).read_text(encoding="utf-8")


def test_template_passes_msgfmt_check(extracted):
    msgfmt_check(pot_path(extracted, "sleep"))
    msgfmt_check(pot_path(extracted, "water"))


def test_header(extracted):
    pot = read_po(pot_path(extracted, "sleep"))
    assert pot.metadata["Project-Id-Version"] == "Test Library"
    assert pot.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", pot.metadata["POT-Creation-Date"])


def test_rewrapping_a_paragraph_keeps_the_msgid(extracted, run_cli):
    source = extracted / "source" / "sleep.md"
    replace_in(source,
               "Good sleep helps your body heal. Most adults need *seven to nine hours* of\n"
               "sleep each night.\n",
               "Good  sleep helps your body heal.\n"
               "Most adults   need *seven to\n"
               "   nine hours* of sleep each night.   \n")
    replace_in(source, "Go to bed at the same time every day. Keep your bedroom dark and quiet.",
               "Go to bed at the same time every day.\nKeep your bedroom dark and quiet.")
    code, _, err = run_cli(extracted, "extract")
    assert code == 0, err
    assert msgids(pot_path(extracted, "sleep")) == SLEEP_MSGIDS


def test_second_extract_without_changes_does_not_touch_the_template(extracted, run_cli):
    pots = [pot_path(extracted, "sleep"), pot_path(extracted, "water")]
    before = [(p.read_bytes(), age(p)) for p in pots]
    code, out, err = run_cli(extracted, "extract")
    assert code == 0, err
    assert "0 template(s) written" in out
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in pots] == before


def test_a_real_change_rewrites_the_template_with_a_new_date(extracted, run_cli):
    pot = pot_path(extracted, "sleep")
    water = pot_path(extracted, "water")
    # Pretend the template was made long ago, so a new date is visible even within a minute.
    replace_in(pot, read_po(pot).metadata["POT-Creation-Date"], "2001-01-01 00:00+0000")
    water_before = (water.read_bytes(), age(water))
    replace_in(extracted / "source" / "sleep.md", "Keep the room cool", "Keep the room cold")

    code, out, err = run_cli(extracted, "extract")
    assert code == 0, err
    assert "1 template(s) written" in out
    ids = msgids(pot)
    assert "Keep the room cold" in ids and "Keep the room cool" not in ids
    assert read_po(pot).metadata["POT-Creation-Date"] != "2001-01-01 00:00+0000"
    assert (water.read_bytes(), water.stat().st_mtime_ns) == water_before


def test_unchanged_template_keeps_its_old_date(extracted, run_cli):
    pot = pot_path(extracted, "sleep")
    replace_in(pot, read_po(pot).metadata["POT-Creation-Date"], "2001-01-01 00:00+0000")
    code, _, err = run_cli(extracted, "extract")
    assert code == 0, err
    assert read_po(pot).metadata["POT-Creation-Date"] == "2001-01-01 00:00+0000"


def test_moving_a_line_updates_the_reference(extracted, run_cli):
    replace_in(extracted / "source" / "sleep.md", "## Habits {#habits}\n",
               "## Habits {#habits}\n\n\n")
    code, _, err = run_cli(extracted, "extract")
    assert code == 0, err
    entry = read_po(pot_path(extracted, "sleep")).find("Keep the room cool")
    assert entry.occurrences == [("source/sleep.md", "19")]


def test_same_text_twice_is_one_entry_with_both_references(extracted, run_cli):
    replace_in(extracted / "source" / "sleep.md", "- Keep the room cool\n",
               "- Keep the room cool\n\n## More {#more}\n\n- Keep the room cool\n")
    code, _, err = run_cli(extracted, "extract")
    assert code == 0, err
    pot = read_po(pot_path(extracted, "sleep"))
    assert [e.msgid for e in pot].count("Keep the room cool") == 1
    entry = pot.find("Keep the room cool")
    assert entry.occurrences == [("source/sleep.md", "17"), ("source/sleep.md", "21")]
    assert entry.comment == ('Section "Habits" (habits): list item\n'
                             'Section "More" (more): list item')
    msgfmt_check(pot_path(extracted, "sleep"))


def test_a_large_batch_parsed_by_worker_processes_matches_one_process(tmp_path, run_cli):
    """A cold extract of a large library parses in forked workers; the templates, the
    messages and their order must be exactly those of a single process."""
    from conftest import copy_project

    outputs = {}
    for jobs in ("1", "2"):
        root = copy_project("basic", tmp_path / f"j{jobs}")
        water = (root / "source" / "water.md").read_text(encoding="utf-8")
        for n in range(60):
            text = water.replace("Drinking Water", f"Drinking Water {n}")
            if n % 7 == 3:
                text += "\n```\ncode blocks are warned about\n```\n"
            (root / "source" / f"water-{n:02d}.md").write_text(text, encoding="utf-8")
        (root / "source" / "broken.md").write_text("no front matter\n", encoding="utf-8")
        code, out, err = run_cli(root, "extract", "-j", jobs)
        assert code == 1  # the broken file, reported; the others are extracted
        pots = {p.name: re.sub(r"POT-Creation-Date: [^\\]*", "", p.read_text(encoding="utf-8"))
                for p in sorted((root / "locales").glob("*.pot"))}
        outputs[jobs] = (out, err, pots)
    assert outputs["1"] == outputs["2"]
    out, err, pots = outputs["2"]
    assert out.startswith("extract: 62 article(s), ")
    assert len(pots) == 63
    assert err.count("[unsupported-markdown]") == 9
    assert "source/broken.md:1: error: missing YAML front matter" in err
