"""The language list (issue 15, item 9): a native disclosure at narrow widths, a plain list at
wide ones, in headless Chromium on the sample site.

At 400% zoom (320 CSS px wide; 256 px high on a 1280x1024 screen) the open list of eight
languages took 221-245 px, so the article's title was below the first screen. Now the list is
a ``<details>`` whose summary says the page's language in that language; at 48rem and wider
site.css shows its content without the summary (``::details-content``). Still a ``nav`` of
``lang``/``hreflang`` links with the current language as text (tests/test_browser.py checks
those on every page).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import format_axe, planned_site, run_axe

pytestmark = pytest.mark.browser

PLAN = planned_site()
ARTICLES = PLAN.articles
# the language indexes have the list too
INDEXES = tuple(p for p in PLAN.pages if p.endswith("/index.html"))
NARROW = {"width": 320, "height": 256}
WIDE = {"width": 1280, "height": 900}

STATE_JS = """() => {
  const nav = document.querySelector('nav.languages');
  const details = nav.querySelector('details');
  const summary = details.querySelector('summary');
  const links = [...nav.querySelectorAll('ul a, ul .current')];
  return {open: details.open, summaryShown: summary.checkVisibility(),
          summaryText: summary.textContent.replace(/\\s+/g, ' ').trim(),
          summaryLang: summary.querySelector('[lang]:not(:has([lang]))')?.lang,
          summaryHeight: summary.getBoundingClientRect().height,
          linksShown: links.map(a => a.checkVisibility()),
          h1Top: document.querySelector('main h1').getBoundingClientRect().top,
          vh: innerHeight};
}"""


def tab_to(page, selector: str, limit: int = 15) -> None:
    """Press Tab from the top of the page until ``selector`` has the focus."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab in {limit} presses")


@pytest.mark.parametrize("path", ARTICLES)
def test_the_title_is_on_the_first_screen_at_400_percent(sample_site: Path, browser_pages,
                                                         path: str) -> None:
    page = browser_pages.open(sample_site / path, **NARROW)
    state = page.evaluate(STATE_JS)
    assert not state["open"] and state["summaryShown"], state
    assert not any(state["linksShown"]), "the list is not collapsed at 320 px"
    assert state["h1Top"] < state["vh"], f"{path}: h1 at {state['h1Top']} px of {state['vh']}"
    # and its first line is whole on that screen, not just its top edge
    first_line = page.evaluate("""(() => { const r = document.createRange();
        r.selectNodeContents(document.querySelector('main h1'));
        return r.getClientRects()[0].bottom; })()""")
    assert first_line <= state["vh"], f"{path}: the title's first line ends at {first_line}"
    assert state["summaryHeight"] >= 44


@pytest.mark.parametrize("path", ARTICLES + INDEXES)
def test_the_summary_names_the_page_language_in_it(sample_site: Path, browser_pages,
                                                   path: str) -> None:
    from pipeline.locales import locale_info

    tag = path.split("/")[0]
    page = browser_pages.open(sample_site / path, **NARROW)
    state = page.evaluate(STATE_JS)
    native = locale_info(PLAN.tags[tag]).native_name
    assert state["summaryLang"] == tag and native in state["summaryText"], state
    # translated in every sample locale: no English fallback wrapped in lang="en"
    fallback = page.evaluate("!!document.querySelector('nav.languages summary "
                             "[lang=\"en\"] [lang]')")
    assert tag == PLAN.source_tag or not fallback, f"{path}: {state['summaryText']!r}"
    if tag != PLAN.source_tag:
        assert not state["summaryText"].startswith("Language:"), state["summaryText"]


@pytest.mark.parametrize("path", ["es/dermatomyositis.html", "ar/dermatomyositis.html"])
def test_the_disclosure_works_with_the_keyboard(sample_site: Path, browser_pages,
                                                path: str) -> None:
    page = browser_pages.open(sample_site / path, **NARROW)
    tab_to(page, "nav.languages summary")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    page.keyboard.press("Enter")
    state = page.evaluate(STATE_JS)
    assert state["open"] and all(state["linksShown"]), state
    # Tab goes through the languages' links in order, skipping the current one (text).
    expected = page.evaluate("[...document.querySelectorAll('nav.languages ul a')]"
                             ".map(a => a.hreflang)")
    assert len(expected) == len(PLAN.tags) - 1
    reached = []
    for _ in expected:
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('hreflang')"))
    assert reached == expected
    # Space on the summary closes it again; the links are then out of the tab order.
    page.keyboard.press("Shift+Tab")
    while not page.evaluate("document.activeElement.matches('nav.languages summary')"):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    state = page.evaluate(STATE_JS)
    assert not state["open"] and not any(state["linksShown"]), state
    page.keyboard.press("Tab")
    assert not page.evaluate("!!document.activeElement.closest('nav.languages')")


@pytest.mark.parametrize("path", ["en/dermatomyositis.html", "ar/dermatomyositis.html",
                                  "es/index.html"])
def test_at_1280px_the_links_show_without_opening_anything(sample_site: Path, browser_pages,
                                                           path: str) -> None:
    page = browser_pages.open(sample_site / path, **WIDE)
    state = page.evaluate(STATE_JS)
    assert not state["open"] and not state["summaryShown"], state
    assert all(state["linksShown"]), state
    # reachable by Tab straight after the site name, with no summary to press first
    tab_to(page, ".site-name a")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('nav.languages ul a[hreflang]')")
    # the list itself is as before: one or two lines, below the site name
    height = page.evaluate("document.querySelector('nav.languages ul')"
                           ".getBoundingClientRect().height")
    assert height <= 2 * 52, height


@pytest.mark.parametrize("path", ["es/dermatomyositis.html", "ar/dermatomyositis.html",
                                  "zh-Hans/index.html"])
def test_axe_finds_no_violations_closed_open_and_wide(sample_site: Path, browser_pages,
                                                      path: str) -> None:
    if path not in PLAN.pages:
        pytest.skip(f"{path} is not published")
    for size, opened, scheme in ((NARROW, False, "light"), (NARROW, True, "dark"),
                                 (WIDE, False, "light")):
        page = browser_pages.open(sample_site / path, scheme=scheme, **size)
        if opened:
            page.click("nav.languages summary")
        results = run_axe(page)
        assert not results["violations"], (
            f"{path} {size} open={opened} {scheme}:\n{format_axe(results)}")


def test_the_wide_layout_is_guarded_by_supports() -> None:
    """Browsers without ``::details-content`` must keep the summary (a working disclosure),
    so hiding it happens only inside ``@supports selector(::details-content)``."""
    import re

    from browser import REPO

    css = re.sub(r"/\*.*?\*/", "", (REPO / "pipeline/assets/site.css").read_text(), flags=re.S)
    block = css[css.index("@supports selector(::details-content)"):]
    depth, end = 0, 0
    for end, char in enumerate(block):
        depth += (char == "{") - (char == "}")
        if char == "}" and depth == 0:
            break
    guarded, outside = block[:end], css.replace(block[:end], "")
    assert ".languages summary { display: none; }" in guarded
    assert not re.search(r"\.languages summary\s*\{[^}]*display:\s*none", outside)
