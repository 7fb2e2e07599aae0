"""The text-export importer: the seed loses no word, guesses are reported, the CLI writes files."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.inline import to_plain
from pipeline.model import BlockKind, Role
from pipeline.report import ContentError, Reporter
from pipeline.stages.importer import CHROME_LINES, ImportResult, import_export
from pipeline.stages.read import read_article

from conftest import SEED, SHARED_SEED

REPO = Path(__file__).resolve().parents[1]


def _read_imported(result: ImportResult, project: Path):
    """Write the import like the CLI does and parse it with the real reader."""
    target = project / "source" / f"{result.slug}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.markdown, encoding="utf-8")
    reporter = Reporter(stream=io.StringIO())
    article = read_article(target, f"source/{target.name}", "en", reporter)
    return article, reporter


def _import(tmp_path: Path, text: str | bytes, name: str = "000_1a2b3c.txt") -> ImportResult:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return import_export(path)


@pytest.fixture(scope="module")
def seed_article(tmp_path_factory):
    result = import_export(SEED)
    article, reporter = _read_imported(result, tmp_path_factory.mktemp("project"))
    return result, article, reporter


def _seed_words() -> list[str]:
    """The seed's words in order, without chrome, the by-line and bullet characters."""
    words: list[str] = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.lower() in CHROME_LINES or text.startswith("by "):
            continue
        if text.startswith("(") and text.endswith(")"):  # the subtitle loses its parentheses
            text = text[1:-1]
        words += text.lstrip("•").split()
    return words


def test_seed_loses_no_word(seed_article):
    result, article, reporter = seed_article
    seed_lines = {line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()}
    words: list[str] = []
    for segment in article.segments:
        if segment.role is Role.TITLE:
            continue  # the export has no title: the importer invented it
        if segment.role is Role.HEADING and segment.text not in seed_lines:
            continue  # invented headings ("Resources", "References")
        words += to_plain(segment.text).split()
    assert words == _seed_words()
    assert reporter.issues == []


def test_seed_front_matter_and_title_guess(seed_article):
    result, article, _ = seed_article
    assert result.slug == "dermatomyositis"
    assert article.author == "Polsdorfer R"
    assert article.subtitle.text == "Idiopathic Inflammatory Myopathy"
    assert article.title.text == "Dermatomyositis"
    assert "title" in result.guesses[0].message and "no title" in result.guesses[0].message
    assert article.notes and "Imported" in article.notes[0]
    assert any("Physical Therapy" in note for note in article.notes)


def test_seed_sections_bullets_resources_references(seed_article):
    result, article, _ = seed_article
    headings = {s.id: s.heading.text for s in article.sections if s.heading}
    assert headings == {
        "physical-therapy": "Physical Therapy",
        "intravenous-immune-globulin": "Intravenous Immune Globulin",
        "lifestyle-changes": "Lifestyle Changes",
        "resources": "Resources",
        "references": "References",
    }
    assert "## Physical Therapy {#physical-therapy}" in result.markdown
    sections = {s.id: s for s in article.sections}
    bullets = [b for b in sections["physical-therapy"].blocks if b.kind is BlockKind.BULLETS]
    assert [len(b.segments) for b in bullets] == [3]
    assert bullets[0].segments[0].text == "Strength and flexibility exercises"
    resources = [s.text for b in sections["resources"].blocks for s in b.segments]
    assert resources == ["The Myositis Association",
                         "National Institute of Neurological Disorders and Stroke",
                         "The Arthritis Society", "Muscular Dystrophy Canada"]
    assert len(sections["resources"].blocks) == 2  # one list per group in the export
    citations = [s for b in sections["references"].blocks for s in b.segments]
    assert len(citations) == 5
    assert all(s.role is Role.CITATION and not s.translatable for s in citations)
    assert citations[0].text.startswith("Chung L, Genovese MC, et al.")
    # The corticosteroid paragraphs follow the bullets without a heading: kept, but reported.
    assert any(s.text.startswith("Corticosteroids can suppress")
               for b in sections["physical-therapy"].blocks for s in b.segments)
    lost = [g for g in result.guesses if "heading may have been lost" in g.message]
    assert [g.line for g in lost] == [21]
    messages = " ".join(g.message for g in result.guesses)
    assert "Resources" in messages and "References" in messages


def test_markdown_is_wrapped(seed_article):
    result, _, _ = seed_article
    body = result.markdown.split("\n---\n", 1)[1]
    assert max(len(line) for line in body.splitlines()) <= 101


def test_chrome_only_is_an_error(tmp_path):
    with pytest.raises(ContentError) as info:
        _import(tmp_path, "Munson Health\n\nBack to Document\n\n\nRevision Information\n")
    assert info.value.issue.code == "import-empty"


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(ContentError):
        _import(tmp_path, "")


def test_non_utf8_names_the_line(tmp_path):
    with pytest.raises(ContentError) as info:
        _import(tmp_path, "Munson Health\n\nGood line.\nBad \xe9 line.\n".encode("latin-1"))
    issue = info.value.issue
    assert issue.code == "encoding"
    assert issue.location.line == 4
    assert issue.location.path.endswith("000_1a2b3c.txt")


def test_bullets_and_heading(tmp_path):
    text = ("by Doe J\n\n(Sample Condition)\n\nRest helps most people get better.\n\n"
            "Self-Care\n\nTry these steps:\n    • Drink plenty of water\n  •Sleep well\n\n"
            "Call your doctor if you feel worse.\n")
    result = _import(tmp_path, text, "self-care-at-home.txt")
    assert result.slug == "self-care-at-home"  # a slug-like file name is kept
    article, reporter = _read_imported(result, tmp_path)
    assert reporter.issues == []
    assert article.author == "Doe J" and article.subtitle.text == "Sample Condition"
    assert article.title.text == "Self care at home"
    section = next(s for s in article.sections if s.id == "self-care")
    assert section.heading.text == "Self-Care"
    bullets = [b for b in section.blocks if b.kind is BlockKind.BULLETS]
    assert [s.text for s in bullets[0].segments] == ["Drink plenty of water", "Sleep well"]
    assert "- Drink plenty of water" in result.markdown
    assert any("title" in g.message for g in result.guesses)


def test_markdown_special_text_stays_text(tmp_path):
    lines = ["1. Take one pill a day, not two.", "# of doses: ask your pharmacist.",
             "- Do not stop on your own.", "Use *only* the [prescribed] dose_size <b> & more.",
             "Wait 2) hours before you eat &amp; drink."]
    result = _import(tmp_path, "Munson Health\n\n" + "\n\n".join(lines) + "\n")
    article, _ = _read_imported(result, tmp_path)
    paragraphs = [s.text for s in article.segments if s.role is Role.PARAGRAPH]
    assert paragraphs == lines
    assert "1\\. Take one pill" in result.markdown


def test_placeholder_title_without_topic(tmp_path):
    result = _import(tmp_path, "(Common Cold)\n\nRest and drink fluids.\n")
    assert result.slug == "common-cold"
    assert "placeholder" in result.guesses[0].message


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pipeline", "-C", str(project), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)


def test_cli_import_writes_source_and_respects_force(tmp_path):
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "pipeline.toml").write_text("[project]\nlocales = []\n", encoding="utf-8")
    first = _cli(project, "import", str(SEED))
    assert first.returncode == 0, first.stderr
    target = project / "source" / "dermatomyositis.md"
    assert target.read_text(encoding="utf-8") == import_export(SEED).markdown
    assert f"{SEED}:21: note: a heading may have been lost" in first.stderr
    assert "wrote source/dermatomyositis.md" in first.stderr
    assert first.stdout.strip() == "import: 1 file(s), 1 written; 0 error(s), 0 warning(s)"
    again = _cli(project, "import", str(SEED))
    assert again.returncode == 1
    assert "exists already" in again.stderr
    forced = _cli(project, "import", "--force", str(SEED))
    assert forced.returncode == 0, forced.stderr


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="no ../shared/seeds beside the checkout")
def test_the_kept_seed_is_the_shared_one():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()
