"""The outreach settings: ``[outputs]`` and ``[site] organisation / logo`` (config.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Outputs, load_config
from pipeline.report import ContentError


def project(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "pipeline.toml").write_text("[project]\nname = \"Clinic Library\"\n" + toml,
                                            encoding="utf-8")
    return tmp_path


def test_outreach_formats_are_off_unless_asked_for(tmp_path):
    config = load_config(project(tmp_path, ""))
    assert config.outputs == Outputs(pdf=False, bilingual=False, epub=False, bundles=False)
    assert config.organisation == "Clinic Library"  # the project's name by default
    assert config.logo == ""


def test_each_format_is_its_own_switch(tmp_path):
    config = load_config(project(tmp_path, "[outputs]\npdf = true\nbundles = true\n"
                                           "[site]\norganisation = \"Riverside Clinic\"\n"))
    assert config.outputs == Outputs(pdf=True, bilingual=False, epub=False, bundles=True)
    assert config.organisation == "Riverside Clinic"


@pytest.mark.parametrize("toml, key, words", [
    ("[outputs]\npdfs = true\n", "outputs.pdfs", "unknown key"),
    ("[outputs]\npdf = \"yes\"\n", "outputs.pdf", "wrong type"),
    ("[site]\nlogo = \"../logo.png\"\n", "site.logo", "inside the project"),
    ("[site]\nlogo = \"logo.gif\"\n", "site.logo", ".png"),
    ("[site]\nlogo = \"missing.svg\"\n", "site.logo", "does not exist"),
])
def test_a_wrong_setting_names_its_key_and_line(tmp_path, toml, key, words):
    with pytest.raises(ContentError) as caught:
        load_config(project(tmp_path, toml))
    issue = caught.value.issue
    assert key in issue.message and words in issue.message
    assert issue.location.line == 4  # the key's own line, after [project] and the table
