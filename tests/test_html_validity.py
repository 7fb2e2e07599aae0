"""The Nu HTML Checker (vnu.jar, offline) on every page of the sample site and on the CSS."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import REPO, format_vnu, planned_site, vnu_check
from sitekit import site_pages

pytestmark = pytest.mark.browser


def test_every_page_is_valid_html(sample_site: Path, fake_audio_site: Path) -> None:
    """All pages of the --no-audio build (translators' review pages too), and the article
    pages with audio players."""
    pages = sorted(sample_site.rglob("*.html"))
    assert len(site_pages(sample_site)) == len(planned_site().pages)
    players = [fake_audio_site / p for p in planned_site().articles]
    errors = vnu_check(pages + players)
    assert not errors, (f"{len(errors)} HTML error(s):\n"
                        + format_vnu(errors, sample_site.parent.parent))


def test_the_css_is_valid() -> None:
    css = sorted((REPO / "pipeline" / "assets").glob("*.css"))
    assert css
    errors = vnu_check(css, "--css")
    assert not errors, format_vnu(errors, REPO)
