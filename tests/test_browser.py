"""The built site in a real browser: axe-core on every page (light and dark), reflow at 320 CSS
px, text spacing, and the project's own checks for what axe misses (language of parts,
language names, focus indicators, target sizes, text size, right-to-left layout).

Pages open from file:// (the site must work from a USB stick) with every non-file request
blocked and failing the test. Chromium is Debian's; see tests/browser.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import CONTRAST_RULES, REPO, format_axe, planned_site, run_axe
from sitekit import site_pages

pytestmark = pytest.mark.browser

PLAN = planned_site()
SOURCE = PLAN.source_tag
ALL_PAGES = PLAN.pages
ARTICLES = PLAN.articles
SITES = {"text": "sample_site", "audio": "fake_audio_site", "speech": "speech_site"}
# Every page of the --no-audio build, and the article pages again with audio players on them.
PAGE_CASES = ([pytest.param("text", p, id=f"text:{p}") for p in ALL_PAGES]
              + [pytest.param("audio", p, id=f"audio:{p}") for p in ARTICLES])
MIN_TARGET = 44  # CSS px, WCAG 2.5.5 (AAA) / the project's target size
MIN_TEXT = 18  # CSS px


def tag_of(path: str) -> str:
    """``ar/dermatomyositis.html`` -> ``ar``; the chooser ``index.html`` is in the source."""
    return path.split("/")[0] if "/" in path else SOURCE


def source_counterpart(path: str) -> str:
    return f"{SOURCE}/{path.split('/', 1)[1]}" if "/" in path else path


def site_root(request: pytest.FixtureRequest, kind: str) -> Path:
    return request.getfixturevalue(SITES[kind])


# --- JavaScript run in the page -----------------------------------------------------------

DESCRIBE = """
const describe = el => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (el.classList.length) s += '.' + [...el.classList].join('.');
  const text = (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 50);
  return text ? `${s} "${text}"` : s;
};
"""

OVERFLOW_JS = "() => {" + DESCRIBE + """
  const de = document.documentElement;
  const vw = de.clientWidth;
  const out = [];
  // Text mixed with elements inside a flex or grid box is cut into separate boxes, so a
  // sentence ("Download audio (MP3, <bdi>180 kB</bdi>, ...)") falls apart into columns.
  for (const el of document.body.querySelectorAll('*')) {
    if (!/(flex|grid)$/.test(getComputedStyle(el).display)) continue;
    const nodes = [...el.childNodes].filter(n => n.nodeType === 1 || n.data.trim());
    if (nodes.some(n => n.nodeType === 3) && nodes.length > 1)
      out.push(`${describe(el)} is a ${getComputedStyle(el).display} box around running text`);
  }
  if (de.scrollWidth > vw) out.push(`page scrolls sideways: scrollWidth ${de.scrollWidth} > ${vw}`);
  const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; }
    return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.bottom <= 0) continue;  // hidden, or parked above (skip link)
    if ((r.right > vw + 1 || r.left < -1) && !scrolls(el))
      out.push(`${describe(el)} spans x ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
  }
  return out;
}"""

CLIPPED_JS = "() => {" + DESCRIBE + """
  const out = [];
  for (const el of document.querySelectorAll('body, body *')) {
    const cs = getComputedStyle(el);
    const clips = v => v === 'hidden' || v === 'clip';
    if (!(clips(cs.overflowX) || clips(cs.overflowY))) continue;
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
      out.push(`${describe(el)} clips its content: ${el.scrollWidth}x${el.scrollHeight} in `
               + `${el.clientWidth}x${el.clientHeight}`);
  }
  return out;
}"""

TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-block-end: 2em !important; }
"""

LANGUAGE_PARTS_JS = """() => {
  const root = document.documentElement;
  const pageLang = root.getAttribute('lang');
  const norm = s => s.replace(/\\s+/g, ' ').trim();
  const langOf = node => (node.nodeType === 1 ? node : node.parentElement)
      .closest('[lang]').getAttribute('lang');
  // Text of a block in the page's language: descendants marked with another lang left out.
  const ownText = el => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let text = '';
    while (walker.nextNode()) if (langOf(walker.currentNode) === pageLang) text += walker.currentNode.data;
    return norm(text);
  };
  const foreign = [];
  for (const el of document.querySelectorAll('main [lang]')) {
    const lang = el.getAttribute('lang');
    if (lang === pageLang) continue;
    if (el.matches('a[hreflang]') && el.getAttribute('hreflang') === lang) continue;  // language names
    foreign.push({lang, text: norm(el.tagName === 'IMG' ? el.alt : el.textContent),
                  html: el.outerHTML.slice(0, 200)});
  }
  const blocks = [];
  for (const el of document.body.querySelectorAll('p, li, h1, h2, h3, h4, figcaption, dt, dd, th, td')) {
    if (langOf(el) !== pageLang) continue;
    const text = ownText(el);
    if (text) blocks.push({text, html: el.outerHTML.slice(0, 200)});
  }
  return {pageLang, foreign, blocks, text: norm(document.body.textContent)};
}"""

FOCUSABLE = ("a[href], area[href], button, input, select, textarea, summary, "
             "audio[controls], video[controls], [tabindex]:not([tabindex='-1'])")

FOCUS_SETUP_JS = """selector => {
  document.activeElement && document.activeElement.blur();
  const els = [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length);
  window.__focusables = els;
  const style = el => { const cs = getComputedStyle(el);
    return {outlineStyle: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth),
            outlineColor: cs.outlineColor, boxShadow: cs.boxShadow}; };
  window.__focusStyle = style;
  return els.map(el => ({index: els.indexOf(el), tag: el.tagName.toLowerCase(),
                         text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40),
                         style: style(el)}));
}"""

FOCUS_NOW_JS = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  const index = window.__focusables.indexOf(document.activeElement);
  if (index < 0) return {index, tag: document.activeElement ? document.activeElement.tagName : null};
  const target = window.__focusables[index];
  const r = target.getBoundingClientRect();
  return {index, tag: target.tagName.toLowerCase(), style: window.__focusStyle(target),
          focusVisible: target.matches(':focus-visible'),
          rect: [r.left, r.top, r.right, r.bottom], vw: innerWidth, vh: innerHeight};
}"""

TARGETS_JS = """selector => {
  const norm = s => s.replace(/\\s+/g, ' ').trim();
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) continue;
    const block = el.closest('p, li, td, dd, figcaption');
    // Links inside running text are exempt (WCAG 2.5.8 inline exception); a link that is a
    // paragraph or list item on its own is a control and must be large enough.
    const inline = el.tagName === 'A' && block && !el.closest('nav, header, footer, .download')
        && norm(block.textContent) !== norm(el.textContent)
        && !block.matches('.language-chooser li, .article-list li');
    const r = el.getBoundingClientRect();
    out.push({tag: el.tagName.toLowerCase(), text: norm(el.textContent).slice(0, 40), inline,
              width: r.width, height: r.height});
  }
  return out;
}"""


# --- the site as a whole ------------------------------------------------------------------

def test_the_build_makes_exactly_the_planned_pages(sample_site: Path) -> None:
    """The parametrized tests cover every page the build writes, no more and no fewer."""
    assert ALL_PAGES, "the collection-time build failed; no page was checked"
    built = sorted(str(p.relative_to(sample_site)) for p in site_pages(sample_site))
    assert built == list(ALL_PAGES)
    assert any(tag_of(p) == "ar" for p in ARTICLES), "the sample has an Arabic article"


def test_audio_players_are_on_the_audio_site(fake_audio_site: Path) -> None:
    """The player checks are not vacuous: the fake-audio build has players on its pages."""
    for path in ARTICLES:
        html = (fake_audio_site / path).read_text(encoding="utf-8")
        if "<audio" not in html:
            assert "audio-note" in html, f"{path}: no players and no note saying why"
        else:
            assert html.count("<audio") >= 3 and 'class="download"' in html, path
            # Size and duration inside a sentence are isolated, or in an Arabic sentence
            # "MP3, 180 kB, 0:47" is laid out as one left-to-right run in the wrong order.
            for link in re.findall(r'<p class="download">(.*?)</p>', html, re.S):
                assert link.count("<bdi>") == 2, link
            for caption in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S):
                assert re.search(r'<bdi lang="[^"]+"', caption), caption


# --- axe-core -----------------------------------------------------------------------------

def assert_axe_clean(results: dict, where: str) -> None:
    assert not results["violations"], (
        f"{where}: axe-core violations:\n{format_axe(results)}")
    # Contrast that axe could not decide (text over an overlapping box...) is not proven AAA.
    unsure = {**results, "incomplete": [i for i in results["incomplete"]
                                        if i["id"] in CONTRAST_RULES]}
    assert not unsure["incomplete"], (
        f"{where}: axe-core could not verify contrast:\n{format_axe(unsure, 'incomplete')}")


@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_axe_finds_no_violations(request, browser_pages, kind: str, path: str) -> None:
    page = browser_pages.open(site_root(request, kind) / path)
    assert_axe_clean(run_axe(page), f"{kind}:{path}")


@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_axe_contrast_in_dark_mode(request, browser_pages, kind: str, path: str) -> None:
    page = browser_pages.open(site_root(request, kind) / path, scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)", "the dark theme is not applied"
    assert_axe_clean(run_axe(page, rules=CONTRAST_RULES), f"{kind}:{path} (dark)")


@pytest.mark.speech
@pytest.mark.parametrize("path", ARTICLES)
def test_axe_on_pages_with_real_audio(speech_site: Path, browser_pages, path: str) -> None:
    page = browser_pages.open(speech_site / path)
    assert_axe_clean(run_axe(page), f"speech:{path}")
    page.emulate_media(color_scheme="dark")
    assert_axe_clean(run_axe(page, rules=CONTRAST_RULES), f"speech:{path} (dark)")


# --- reflow and text spacing --------------------------------------------------------------

@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_reflows_at_320_css_px(request, browser_pages, kind: str, path: str) -> None:
    """WCAG 1.4.10: 320 CSS px wide (1280 px at 400% zoom) needs no sideways scrolling."""
    page = browser_pages.open(site_root(request, kind) / path, width=320, height=640)
    problems = page.evaluate(OVERFLOW_JS)
    assert not problems, f"{kind}:{path} at 320 px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_text_spacing_override_clips_nothing(request, browser_pages, kind: str, path: str,
                                             width: int) -> None:
    """WCAG 1.4.12: readers' spacing (line 1.5, letters 0.12em, words 0.16em, paragraphs 2em)
    must not cut text off or push it out sideways."""
    page = browser_pages.open(site_root(request, kind) / path, width=width, height=800)
    page.add_style_tag(content=TEXT_SPACING_CSS)
    line_height = page.evaluate("""() => { const p = document.querySelector('main p, main li');
        return parseFloat(getComputedStyle(p).lineHeight) / parseFloat(getComputedStyle(p).fontSize); }""")
    assert line_height == pytest.approx(1.5, abs=0.02), "the spacing override did not apply"
    problems = page.evaluate(CLIPPED_JS) + page.evaluate(OVERFLOW_JS)
    assert not problems, f"{kind}:{path} at {width} px with text spacing:\n" + "\n".join(problems)


# --- the project's own checks (what axe misses) -------------------------------------------

def ui_message_patterns() -> list[re.Pattern]:
    """The site chrome's source messages, placeholders as wildcards: untranslated chrome is
    shown in the source language, and that is the English it may contain."""
    from pipeline.ui import ui_template_entries

    patterns = []
    for entry in ui_template_entries():
        parts = re.split(r"\{[^{}]*\}", entry.msgid)
        patterns.append(re.compile(".+?".join(re.escape(p) for p in parts)))
    return patterns


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_text_is_in_the_language_its_lang_says(request, browser_pages, kind: str,
                                               path: str) -> None:
    """(a) Fallback text marked with another lang really is the source text, and text without
    such a mark is not left in the source language (axe cannot hear English read by an Arabic
    voice). Short proper names (an author, an organisation) may stay as they are."""
    root = site_root(request, kind)
    page = browser_pages.open(root / path)
    found = page.evaluate(LANGUAGE_PARTS_JS)
    assert found["pageLang"] == tag_of(path)
    source = browser_pages.open(root / source_counterpart(path))
    source_found = source.evaluate(LANGUAGE_PARTS_JS)
    chrome = ui_message_patterns()
    problems = []
    for part in found["foreign"]:
        if part["lang"] != SOURCE:
            problems.append(f"fallback marked lang={part['lang']}, not the source language "
                            f"{SOURCE}: {part['html']}")
        elif not (part["text"] in source_found["text"]
                  or any(p.fullmatch(part["text"]) for p in chrome)):
            problems.append(f"marked lang={part['lang']} but not in the {SOURCE} page or the "
                            f"site's {SOURCE} messages: {part['html']}")
    # Fallback text repeated elsewhere (a heading in a player's caption) keeps its lang there.
    for part in {p["text"] for p in found["foreign"] if len(p["text"]) >= 12}:
        for block in found["blocks"]:
            if part in block["text"]:
                problems.append(f"{SOURCE} text {part!r} repeated without lang={SOURCE}: "
                                f"{block['html']}")
    if found["pageLang"] != SOURCE:
        source_blocks = {b["text"] for b in source_found["blocks"]}
        for block in found["blocks"]:
            if block["text"] in source_blocks and words(block["text"]) >= 4:
                problems.append(f"{SOURCE} text without lang={SOURCE} on a "
                                f"{found['pageLang']} page: {block['html']}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


CSS_FILES = sorted((REPO / "pipeline" / "assets").glob("*.css"))
OUTLINE_REMOVED = re.compile(r"outline(-style|-width)?\s*:\s*(none|0(px|em|rem)?)\s*(!important)?"
                             r"\s*[;}]", re.I)


@pytest.mark.parametrize("css", CSS_FILES, ids=lambda p: p.name)
def test_css_never_removes_the_focus_outline(css: Path) -> None:
    """(b) ``outline: none``/``0`` hides keyboard focus; the site's CSS never uses it."""
    text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8"), flags=re.S)
    found = [m.group(0) for m in OUTLINE_REMOVED.finditer(text)]
    assert not found, f"{css.name}: {found}"


def test_built_css_is_the_packaged_css(sample_site: Path) -> None:
    for css in CSS_FILES:
        assert (sample_site / "assets" / css.name).read_bytes() == css.read_bytes()


@pytest.mark.parametrize("path", ALL_PAGES)
def test_language_names_are_in_their_own_language(sample_site: Path, browser_pages,
                                                  path: str) -> None:
    """(c) Switcher and chooser name each language in itself, marked with its lang and dir,
    and link to that language's version of the page."""
    from pipeline.locales import locale_info

    page = browser_pages.open(sample_site / path)
    links = page.evaluate("""() => [...document.querySelectorAll(
        'nav.languages a, nav.languages .current, .language-chooser a')].map(a => ({
          lang: a.getAttribute('lang'), hreflang: a.getAttribute('hreflang') ||
            (a.matches('.current') ? a.getAttribute('lang') : null),
          dir: a.getAttribute('dir'), text: a.textContent.trim(),
          href: a.getAttribute('href') || '', link: a.matches('a'),
          current: a.getAttribute('aria-current'), nav: !!a.closest('nav.languages')}))""")
    slug = path.split("/", 1)[1] if "/" in path else None
    expected = {t for t in PLAN.tags if slug is None or f"{t}/{slug}" in ALL_PAGES}
    assert {link["hreflang"] for link in links} == expected, f"{path}: missing languages"
    problems = []
    for link in links:
        info = locale_info(PLAN.tags[link["hreflang"]])
        if link["lang"] != link["hreflang"]:
            problems.append(f"lang={link['lang']} but hreflang={link['hreflang']}")
        if link["text"] != info.native_name:
            problems.append(f"{link['hreflang']}: {link['text']!r}, not {info.native_name!r}")
        if link["dir"] != info.direction:
            problems.append(f"{link['hreflang']}: dir={link['dir']}, not {info.direction}")
        target = (sample_site / path).parent / link["href"]
        if link["nav"] and (link["current"] == "true") != (link["hreflang"] == tag_of(path)):
            problems.append(f"{link['hreflang']}: aria-current={link['current']}")
        elif link["nav"] and link["link"] == (link["current"] == "true"):
            problems.append(f"{link['hreflang']}: the current language must be text, others "
                            "links")
        elif link["link"] and not target.resolve().is_file():
            problems.append(f"{link['hreflang']}: {link['href']} does not exist")
    assert not problems, f"{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("path", ALL_PAGES)
def test_body_text_is_at_least_18px(sample_site: Path, browser_pages, path: str,
                                    width: int) -> None:
    """(d) Large print: paragraphs and list items in main are 18 CSS px or more."""
    page = browser_pages.open(sample_site / path, width=width)
    sizes = page.evaluate("""() => [...document.querySelectorAll('main p, main li')]
        .filter(el => el.getClientRects().length)
        .map(el => [el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''),
                    parseFloat(getComputedStyle(el).fontSize)])""")
    assert sizes
    small = [s for s in sizes if s[1] < MIN_TEXT]
    assert not small, f"{path} at {width} px: text under {MIN_TEXT}px: {small}"


def visible_focus(before: dict, after: dict) -> bool:
    outline = (after["outlineStyle"] != "none" and after["outlineWidth"] >= 2
               and (after["outlineStyle"], after["outlineWidth"], after["outlineColor"])
               != (before["outlineStyle"], before["outlineWidth"], before["outlineColor"]))
    shadow = after["boxShadow"] != "none" and after["boxShadow"] != before["boxShadow"]
    return outline or shadow


def focus_problems(page) -> list[str]:
    """Tab through a loaded page; what is unreachable, shows no focus or is focused off screen."""
    controls = page.evaluate(FOCUS_SETUP_JS, FOCUSABLE)
    assert controls, page.url
    reached: dict[int, dict] = {}
    # Players hold several stops (play, timeline, volume, menu); allow for them.
    for _ in range(len(controls) * 6 + 10):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUS_NOW_JS)
        if now["index"] < 0:
            if now["tag"] in (None, "BODY") and reached:
                break  # focus left the document: the cycle is complete
            continue
        reached.setdefault(now["index"], now)
        if len(reached) == len(controls) and now["index"] == 0:
            break
    problems = []
    for control in controls:
        now = reached.get(control["index"])
        name = f"<{control['tag']}> {control['text']!r}"
        if now is None:
            problems.append(f"{name}: not reachable with Tab")
            continue
        if not visible_focus(control["style"], now["style"]):
            problems.append(f"{name}: no visible focus indicator "
                            f"(unfocused {control['style']}, focused {now['style']})")
        left, top, right, bottom = now["rect"]
        if right <= 0 or bottom <= 0 or left >= now["vw"] or top >= now["vh"]:
            problems.append(f"{name}: focused but off screen at {now['rect']}")
    return problems


@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_keyboard_focus_is_always_visible(request, browser_pages, kind: str, path: str) -> None:
    """(e) Tabbing reaches every control (links, players), each shows a focus indicator that
    its unfocused state lacks, and the focused control is on screen (not parked off it)."""
    page = browser_pages.open(site_root(request, kind) / path, width=1280, height=900)
    problems = focus_problems(page)
    assert not problems, f"{kind}:{path}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("kind, path", PAGE_CASES)
def test_targets_are_at_least_44px(request, browser_pages, kind: str, path: str,
                                   width: int) -> None:
    """(f) Navigation, header and footer links, language links, article links, players and
    their download links are 44 x 44 CSS px or larger; links inside sentences are exempt."""
    page = browser_pages.open(site_root(request, kind) / path, width=width)
    targets = page.evaluate(TARGETS_JS, FOCUSABLE)
    assert targets
    small = [f"<{t['tag']}> {t['text']!r}: {t['width']:.0f} x {t['height']:.0f}"
             for t in targets if not t["inline"]
             and (t["width"] < MIN_TARGET - 0.5 or t["height"] < MIN_TARGET - 0.5)]
    assert not small, f"{kind}:{path} at {width} px, targets under {MIN_TARGET}px:\n" + \
        "\n".join(small)


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("path", ALL_PAGES)
def test_direction_of_the_layout(sample_site: Path, browser_pages, path: str,
                                 width: int) -> None:
    """(g) Arabic pages say dir="rtl" and really lay out right to left: the heading's lines
    start at the right edge of its box; left-to-right pages start at the left."""
    from pipeline.locales import locale_info

    direction = locale_info(PLAN.tags[tag_of(path)]).direction
    page = browser_pages.open(sample_site / path, width=width)
    got = page.evaluate("""() => {
      const h1 = document.querySelector('main h1');
      const range = document.createRange();
      range.selectNodeContents(h1);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const box = h1.getBoundingClientRect();
      const cs = getComputedStyle(h1);
      return {dir: document.documentElement.getAttribute('dir'), css: cs.direction,
              box: [box.left + parseFloat(cs.paddingLeft), box.right - parseFloat(cs.paddingRight)],
              main: (() => { const m = document.querySelector('main'); const r = m.getBoundingClientRect();
                             const s = getComputedStyle(m);
                             return [r.left + parseFloat(s.paddingLeft), r.right - parseFloat(s.paddingRight)]; })(),
              textLeft: Math.min(...rects.map(r => r.left)),
              textRight: Math.max(...rects.map(r => r.right)),
              lastLine: (() => { const last = rects[rects.length - 1];
                  const line = rects.filter(r => Math.abs(r.bottom - last.bottom) < 2);
                  return [Math.min(...line.map(r => r.left)), Math.max(...line.map(r => r.right))]; })(),
              vw: document.documentElement.clientWidth};
    }""")
    assert got["dir"] == direction and got["css"] == direction, f"{path}: {got}"
    start, end = got["box"]
    if direction == "rtl":
        # Every line, the last (shortest) one too, hugs the right edge of the heading's box.
        assert abs(got["lastLine"][1] - end) <= 2, f"{path}: last line not at the right: {got}"
        assert abs(got["textRight"] - end) <= 2, f"{path}: {got}"
        assert abs(got["main"][1] - end) <= 1, f"{path}: heading not against main's right: {got}"
    else:
        assert abs(got["lastLine"][0] - start) <= 2, f"{path}: last line not at the left: {got}"
        assert abs(got["textLeft"] - start) <= 2, f"{path}: {got}"
    if width == 320:
        # At phone width main fills the screen, so the heading starts near the screen's edge.
        edge = got["vw"] - got["textRight"] if direction == "rtl" else got["textLeft"]
        assert edge <= 24, f"{path}: heading starts {edge:.0f}px from the screen's edge"


# --- translators' review pages (not published; found at run time, they change often) -----

def review_pages(site: Path) -> list[Path]:
    return sorted((site / "_review").rglob("*.html")) if (site / "_review").is_dir() else []


def test_review_pages_pass_axe_reflow_and_focus(sample_site: Path, browser_pages) -> None:
    """Translators use assistive technology too: the review pages get axe-core (light and
    dark), reflow at 320 px with text spacing, and visible keyboard focus."""
    pages = review_pages(sample_site)
    if not pages:
        pytest.skip("this build writes no review pages")
    problems = []
    for path in pages:
        rel = str(path.relative_to(sample_site))
        for scheme in ("light", "dark"):
            page = browser_pages.open(path, scheme=scheme)
            results = run_axe(page) if scheme == "light" else run_axe(page, rules=CONTRAST_RULES)
            try:
                assert_axe_clean(results, f"{rel} ({scheme})")
            except AssertionError as exc:
                problems.append(str(exc))
        page = browser_pages.open(path, width=320, height=640)
        problems += [f"{rel} at 320 px: {p}" for p in page.evaluate(OVERFLOW_JS)]
        page.add_style_tag(content=TEXT_SPACING_CSS)
        problems += [f"{rel} at 320 px, text spacing: {p}"
                     for p in page.evaluate(CLIPPED_JS) + page.evaluate(OVERFLOW_JS)]
        page = browser_pages.open(path)
        problems += [f"{rel}: {p}" for p in focus_problems(page)]
    assert not problems, "\n".join(problems)


# --- what a phone shows -------------------------------------------------------------------

@pytest.mark.parametrize("path, shot", [("ar/dermatomyositis.html", "/tmp/ar-320.png"),
                                        ("zh-Hans/dermatomyositis.html", "/tmp/zh-320.png")])
def test_screenshot_at_320px(fake_audio_site: Path, browser_pages, path: str,
                             shot: str) -> None:
    """Full-page screenshots at 320 CSS px (with players) for a person to look at."""
    if path not in ARTICLES:
        pytest.skip(f"{path} is not published")
    page = browser_pages.open(fake_audio_site / path, width=320, height=640)
    page.screenshot(path=shot, full_page=True)
    assert Path(shot).stat().st_size > 10_000
    assert not page.evaluate(OVERFLOW_JS)
