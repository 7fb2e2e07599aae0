"""The whole-article player (issue 15, item 3): pipeline/assets/player.js and player.css.

In headless Chromium on the fake-audio sample site (real MP3 files, instant to build): the
player appears only with JavaScript, plays from the keyboard, highlights the sentence the audio
is at, continues into the next section, remembers speed and place, seeks to a clicked sentence;
axe-core passes with it active in light, dark and forced colours; it reflows at 320 px; the
highlight has 7:1 contrast. While listening it sticks to the top of the window when it is a
third of the window or less, with the sentence being read below it; Shift+Down/Up step
through sentences and Shift+Enter focuses the one being read (only then); the status keeps a
section title's own lang and speaks once per section. And without a browser: the page's embedded JSON cannot be closed by
a translation that contains ``</script>``.
"""
from __future__ import annotations

import gettext
import io
import json
import re
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from browser import format_axe, run_axe
from sitekit import copy_sample_project

PAGE = "en/dermatomyositis.html"
AUDIO = "document.getElementById('player-audio')"
DATA = "JSON.parse(document.getElementById('article-audio').textContent)"


def open_player(browser_pages, site: Path, path: str = PAGE, **options):
    """The page with nothing remembered from an earlier test (localStorage is per origin)."""
    page = browser_pages.open(site / path, **options)
    page.evaluate("localStorage.clear()")
    page.reload(wait_until="load")
    page.wait_for_selector("#article-player", state="visible")
    return page


def sections(page) -> list[dict]:
    return page.evaluate(f"{DATA}.sections")


def press_play(page) -> None:
    page.focus("#player-play")
    page.keyboard.press("Enter")
    page.wait_for_function(f"!{AUDIO}.paused", timeout=10_000)
    # the button and box follow the audio's "play" event, which comes a task after play()
    # (a fresh-clone run read the label in between once)
    page.wait_for_selector(".is-playing", timeout=10_000)


def seek_to(page, time: float, pause: bool = True) -> None:
    """Set the audio's time (negative: before its end) and wait for the player's timeupdate."""
    page.evaluate("""async ([t, pause]) => {
      const a = document.getElementById('player-audio');
      if (pause) a.pause();
      if (a.readyState < 1) await new Promise(r => a.addEventListener('loadedmetadata', r,
                                                                      {once: true}));
      await new Promise(r => { a.addEventListener('timeupdate', r, {once: true});
                               a.currentTime = t < 0 ? a.duration + t : t; });
      await new Promise(r => setTimeout(r, 0));
    }""", [time, pause])


def speaking(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('.is-speaking')]"
                         ".map(e => e.getAttribute('data-s'))")


def middle(sentence: list) -> float:
    return (sentence[1] + sentence[2]) / 2


# --- with and without JavaScript ------------------------------------------------------------

@pytest.mark.browser
def test_the_player_appears_with_javascript(fake_audio_site: Path, browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    count = len(sections(page))
    assert count >= 2
    assert page.is_visible("#player-play")
    assert page.inner_text("#player-play").strip() == "Listen to this article"
    # The section players give way to buttons that start the article player there.
    assert page.locator("figure.audio > audio").evaluate_all(
        "els => els.filter(e => e.getClientRects().length).length") == 0
    assert page.locator(".player-section-button").count() == count
    assert page.locator("figure.audio .download a").count() == count


@pytest.mark.browser
def test_without_javascript_the_section_players_remain(fake_audio_site: Path, chromium) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((fake_audio_site / PAGE).resolve().as_uri(), wait_until="load")
        assert not page.is_visible("#article-player")
        figures = page.locator("figure.audio").count()
        assert figures >= 2
        visible = page.locator("figure.audio > audio[controls]").evaluate_all(
            "els => els.filter(e => e.getClientRects().length).length")
        assert visible == figures
        assert page.locator(".player-section-button").count() == 0
    finally:
        context.close()


# --- playing --------------------------------------------------------------------------------

@pytest.mark.browser
def test_keyboard_play_highlights_the_sentence_being_read(fake_audio_site: Path,
                                                          browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    first = sections(page)[0]
    press_play(page)
    assert page.inner_text("#player-play").strip() == "Pause"
    assert page.text_content("#player-status") == f"Playing: {first['label']}"
    target = first["sentences"][1]
    seek_to(page, middle(target))
    pieces = speaking(page)
    assert pieces and set(pieces) == {target[0]}
    assert page.locator(f'[data-s="{target[0]}"]').count() == len(pieces)
    seek_to(page, middle(first["sentences"][2]))
    assert set(speaking(page)) == {first["sentences"][2][0]}


@pytest.mark.browser
def test_the_end_of_a_section_goes_on_to_the_next(fake_audio_site: Path, browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    first, second = sections(page)[:2]
    press_play(page)
    seek_to(page, -0.15, pause=False)
    page.wait_for_function(f"""{AUDIO}.src.endsWith({json.dumps(second['src'])})
                               && !{AUDIO}.paused && {AUDIO}.currentTime > 0""",
                           timeout=15_000)
    assert page.text_content("#player-status") == f"Playing: {second['label']}"
    assert page.inner_text("#player-section") == second["label"]
    assert first["src"] != second["src"]


@pytest.mark.browser
def test_speed_is_remembered_after_a_reload(fake_audio_site: Path, browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    page.select_option("#player-speed", "1.5")
    page.reload(wait_until="load")
    page.wait_for_selector("#article-player", state="visible")
    assert page.input_value("#player-speed") == "1.5"
    press_play(page)
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5


@pytest.mark.browser
def test_the_place_is_remembered_after_a_reload(fake_audio_site: Path, browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    third = sections(page)[2]
    page.click("#player-next")
    page.click("#player-next")
    press_play(page)
    seek_to(page, 5.0)
    page.reload(wait_until="load")
    page.wait_for_selector("#article-player", state="visible")
    assert page.inner_text("#player-section") == third["label"]
    assert page.inner_text("#player-play").strip() == "Continue listening"
    press_play(page)
    assert page.evaluate(f"{AUDIO}.src").endswith(third["src"])
    page.wait_for_function(f"{AUDIO}.currentTime >= 4.9", timeout=5_000)


@pytest.mark.browser
def test_clicking_a_sentence_reads_from_there(fake_audio_site: Path, browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    third = sections(page)[2]
    sentence = third["sentences"][3]
    page.click(f"#{sentence[0]}")
    page.wait_for_function(f"{AUDIO}.src.endsWith({json.dumps(third['src'])}) "
                           f"&& !{AUDIO}.paused", timeout=10_000)
    # The time is set when the file's metadata arrives, before anything is heard.
    page.wait_for_function(f"{AUDIO}.currentTime >= {sentence[1] - 0.05}", timeout=5_000)
    page.wait_for_function(f"document.getElementById({json.dumps(sentence[0])})"
                           ".classList.contains('is-speaking')", timeout=5_000)


@pytest.mark.browser
def test_clicking_a_link_in_a_sentence_does_not_start_reading(fake_audio_site: Path,
                                                              browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    # A link inside a sentence, as a sentence crossing a link is marked up (spans in the link).
    page.evaluate("""(() => {
      const s = document.querySelector('#s-medications-3');
      const a = document.createElement('a');
      a.href = '#nowhere'; a.id = 'test-link';
      s.parentNode.insertBefore(a, s); a.appendChild(s);
      document.addEventListener('click', e => e.preventDefault());
    })()""")
    page.click("#test-link")
    assert page.evaluate(f"{AUDIO}.paused")
    assert not page.evaluate(f"{AUDIO}.getAttribute('src')")


# --- staying at hand while reading (sticky) -------------------------------------------------

PLAYER_BOX = """() => { const b = document.getElementById('article-player').getBoundingClientRect();
  return {top: b.top, bottom: b.bottom, height: b.height, vh: innerHeight,
          sticky: getComputedStyle(document.getElementById('article-player')).position
                  === 'sticky'}; }"""


@pytest.mark.browser
def test_the_player_stays_in_view_above_the_sentence_being_read(fake_audio_site: Path,
                                                                browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site, width=1280, height=720)
    page.emulate_media(reduced_motion="reduce")  # instant scrolling, measured at once
    try:
        last = sections(page)[-1]
        target = last["sentences"][-2]
        press_play(page)
        page.evaluate(f"document.getElementById({json.dumps(target[0])})"
                      ".scrollIntoView({block: 'center'})")
        page.click(f"#{target[0]}")
        page.wait_for_function(f"document.getElementById({json.dumps(target[0])})"
                               ".classList.contains('is-speaking')", timeout=10_000)
        seek_to(page, middle(target))
        box = page.evaluate(PLAYER_BOX)
        assert box["sticky"] and abs(box["top"]) <= 1, box
        assert box["height"] <= box["vh"] / 3 + 1, box
        # The page is scrolled well past the player's place, and the sentence is below it.
        assert page.evaluate("scrollY") > 1000
        pieces = page.evaluate("""[...document.querySelectorAll('.is-speaking')].map(e => {
            const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })""")
        assert pieces
        for top, bottom in pieces:
            assert top >= box["bottom"] - 1 and bottom <= box["vh"], (top, bottom, box)
        # A sentence scrolled under the bar is brought out from under it when it is read.
        hidden = last["sentences"][-1]
        page.evaluate(f"""(() => {{ const s = document.getElementById({json.dumps(hidden[0])});
            scrollBy(0, s.getBoundingClientRect().top - 40); }})()""")
        seek_to(page, middle(hidden))
        top = page.evaluate(f"document.getElementById({json.dumps(hidden[0])})"
                            ".getBoundingClientRect().top")
        assert top >= page.evaluate(PLAYER_BOX)["bottom"] - 1
    finally:
        page.emulate_media(reduced_motion="no-preference")


@pytest.mark.browser
@pytest.mark.parametrize("size", [(320, 256), (360, 640), (320, 640), (1280, 720)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_sticky_player_never_takes_more_than_a_third_of_the_window(
        fake_audio_site: Path, browser_pages, size: tuple[int, int]) -> None:
    for path in (PAGE, "ar/dermatomyositis.html"):
        page = open_player(browser_pages, fake_audio_site, path, width=size[0], height=size[1])
        press_play(page)
        page.wait_for_function("document.getElementById('article-player')"
                               ".classList.contains('is-playing')")
        box = page.evaluate(PLAYER_BOX)
        if box["sticky"]:
            assert box["height"] <= box["vh"] / 3 + 1, (path, size, box)
        else:  # in the page: no room is kept for it at the top
            assert page.evaluate("getComputedStyle(document.documentElement)"
                                 ".scrollPaddingTop") in ("0px", "auto"), (path, size)
        if size == (320, 256):
            assert not box["sticky"], f"{path}: sticky at 400% zoom"
        widths = page.evaluate("[document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], (path, size, widths)


@pytest.mark.browser
def test_the_player_lets_go_of_the_window_when_the_article_ends(fake_audio_site: Path,
                                                                browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site, width=1280, height=900)
    last = len(sections(page)) - 1
    for _ in range(last):
        page.click("#player-next")
    press_play(page)
    assert page.evaluate(PLAYER_BOX)["sticky"]
    seek_to(page, -0.15, pause=False)
    page.wait_for_function(f"{AUDIO}.paused", timeout=15_000)
    page.wait_for_function("!document.getElementById('article-player')"
                           ".classList.contains('is-sticky')", timeout=5_000)


# --- sentence by sentence from the keyboard -------------------------------------------------

def active_id(page) -> str:
    return page.evaluate("document.activeElement.id")


@pytest.mark.browser
def test_shift_arrows_step_through_sentences_from_the_player(fake_audio_site: Path,
                                                            browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    first, second = sections(page)[:2]
    press_play(page)
    seek_to(page, middle(first["sentences"][1]))
    page.focus("#player-play")
    page.keyboard.press("Shift+ArrowDown")
    assert speaking(page) and set(speaking(page)) == {first["sentences"][2][0]}
    assert page.evaluate(f"{AUDIO}.currentTime") == pytest.approx(first["sentences"][2][1],
                                                                  abs=0.05)
    # Paused, the status says the sentence (the audio is not saying it), in its language.
    text = page.text_content(f"#{first['sentences'][2][0]}")
    assert page.text_content("#player-status").strip() == text.strip()
    assert page.evaluate("document.querySelector('#player-status [lang]').lang") == "en"
    page.keyboard.press("Shift+ArrowUp")
    assert set(speaking(page)) == {first["sentences"][1][0]}
    # The seek bar keeps its own arrows, and Shift+arrows there step sentences too.
    page.focus("#player-seek")
    page.keyboard.press("Shift+ArrowDown")
    assert set(speaking(page)) == {first["sentences"][2][0]}
    # Past the section's last sentence: the next section's first.
    seek_to(page, middle(first["sentences"][-1]))
    page.keyboard.press("Shift+ArrowDown")
    assert page.evaluate(f"{AUDIO}.src").endswith(second["src"])
    assert page.inner_text("#player-section") == second["label"]
    assert set(speaking(page)) == {second["sentences"][0][0]}
    assert active_id(page) == "player-seek"  # the focus stayed on the player
    # While playing, stepping keeps playing.
    page.focus("#player-play")
    page.keyboard.press("Enter")
    page.wait_for_function(f"!{AUDIO}.paused", timeout=10_000)
    page.keyboard.press("Shift+ArrowDown")
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime >= "
                           f"{second['sentences'][1][1] - 0.05}", timeout=10_000)


@pytest.mark.browser
def test_the_sentence_being_read_takes_the_focus_only_when_asked(fake_audio_site: Path,
                                                                 browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    first = sections(page)[0]
    press_play(page)
    # Playing through several sentences never moves the focus or adds tab stops.
    seek_to(page, middle(first["sentences"][1]), pause=False)
    seek_to(page, middle(first["sentences"][2]), pause=False)
    assert active_id(page) == "player-play"
    assert page.locator(".s[tabindex]").count() == 0
    seek_to(page, middle(first["sentences"][2]))
    page.keyboard.press("Shift+Enter")
    target = first["sentences"][2][0]
    assert active_id(page) == target
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    assert page.evaluate(f"{AUDIO}.paused"), "Shift+Enter must not press the button"
    # focused, the sentence is on screen and not under the sticky player
    box = page.evaluate(PLAYER_BOX)
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert (not box["sticky"] or top >= box["bottom"] - 1) and top < box["vh"], (top, box)
    # From the sentence: Shift+Down moves the focus with the reading.
    page.keyboard.press("Shift+ArrowDown")
    following = first["sentences"][3][0]
    assert active_id(page) == following and set(speaking(page)) == {following}
    assert page.locator(".s[tabindex]").count() == 1
    # Enter reads from the focused sentence; Escape goes back to the player.
    page.keyboard.press("Enter")
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime >= "
                           f"{first['sentences'][3][1] - 0.05}", timeout=10_000)
    page.keyboard.press("Escape")
    assert active_id(page) == "player-play"
    assert page.locator(".s[tabindex]").count() == 0


@pytest.mark.browser
def test_the_sentence_keys_are_documented_on_the_page(fake_audio_site: Path,
                                                      browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    page.click(".player-keys summary")
    help_text = page.inner_text(".player-keys")
    for key in ("Shift+Down", "Shift+Up", "Shift+Enter", "Escape"):
        assert key in help_text


# --- the language of what the player says ---------------------------------------------------

@pytest.mark.browser
def test_a_section_title_in_another_language_keeps_its_lang_in_the_status(
        fake_audio_site: Path, browser_pages) -> None:
    path = "ru/dermatomyositis.html"
    page = open_player(browser_pages, fake_audio_site, path)
    parts = sections(page)
    index = next((i for i, s in enumerate(parts) if s["lang"] != "ru"), None)
    assert index is not None, "the Russian sample has sections read in English"
    for _ in range(index):
        page.click("#player-next")
    press_play(page)
    status = page.evaluate("""(() => { const s = document.getElementById('player-status');
        const piece = s.querySelector('[lang]');
        return {text: s.textContent, lang: piece && piece.lang, piece: piece && piece.textContent,
                own: s.closest('[lang]').lang}; })()""")
    assert status["piece"] == parts[index]["label"] and status["lang"] == parts[index]["lang"]
    assert status["own"] == "ru" and status["text"] != status["piece"], status
    assert page.evaluate("document.getElementById('player-section').lang") == "en"


@pytest.mark.browser
def test_the_status_speaks_once_per_section_not_per_sentence(fake_audio_site: Path,
                                                             browser_pages) -> None:
    page = open_player(browser_pages, fake_audio_site)
    first = sections(page)[0]
    page.evaluate("""window.__changes = 0; new MutationObserver(() => window.__changes++)
        .observe(document.getElementById('player-status'),
                 {childList: true, characterData: true, subtree: true});""")
    press_play(page)
    for sentence in first["sentences"][1:]:
        seek_to(page, middle(sentence), pause=False)
    assert page.evaluate("window.__changes") == 1


# --- accessibility --------------------------------------------------------------------------

def active_player(browser_pages, site: Path, scheme: str = "light", width: int = 1280):
    """The page with the player running, paused on a highlighted sentence."""
    page = open_player(browser_pages, site, scheme=scheme, width=width)
    first = sections(page)[0]
    press_play(page)
    seek_to(page, middle(first["sentences"][1]))
    assert speaking(page)
    return page


@contextmanager
def player_in_mode(browser_pages, site: Path, mode: str):
    """An article page playing, in the "light", "dark" or "forced" colours mode."""
    page = active_player(browser_pages, site, "dark" if mode == "dark" else "light")
    try:
        if mode == "forced":
            page.emulate_media(forced_colors="active")
        yield page
    finally:
        page.emulate_media(forced_colors="none")


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["light", "dark", "forced"])
def test_axe_finds_no_violations_with_the_player(fake_audio_site: Path, browser_pages,
                                                 mode: str) -> None:
    with player_in_mode(browser_pages, fake_audio_site, mode) as page:
        page.click(".player-keys summary")
        results = run_axe(page)
        assert not results["violations"], format_axe(results)


@pytest.mark.browser
def test_no_horizontal_scrolling_at_320px(fake_audio_site: Path, browser_pages) -> None:
    for path in (PAGE, "ar/dermatomyositis.html"):
        page = active_player(browser_pages, fake_audio_site, width=320)
        if path != PAGE:
            page = open_player(browser_pages, fake_audio_site, path, width=320)
        page.click(".player-keys summary")
        widths = page.evaluate("[document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{path}: {widths}"
        box = page.locator("#article-player").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _luminance(css: str) -> float:
    r, g, b = (float(n) for n in re.findall(r"[\d.]+", css)[:3])
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["light", "dark", "forced"])
def test_highlight_contrast_is_at_least_7_to_1(fake_audio_site: Path, browser_pages,
                                               mode: str) -> None:
    with player_in_mode(browser_pages, fake_audio_site, mode) as page:
        # Every highlighted piece, and a link's text too (highlight one that has a link).
        linked = page.evaluate("""(() => {
          const s = document.querySelector('.is-speaking');
          const a = document.createElement('a');
          a.href = '#nowhere';
          const piece = document.createElement('span');
          piece.className = 's'; piece.dataset.s = 'test-linked'; piece.textContent = 'link';
          a.appendChild(piece); s.parentNode.appendChild(a);
          return 'test-linked'; })()""")
        pairs = page.evaluate("""linked => {
          const out = [];
          const pieces = [...document.querySelectorAll('.is-speaking')];
          if (linked) document.querySelectorAll(`[data-s="${linked}"]`).forEach(e => {
            e.classList.add('is-speaking'); pieces.push(e); });
          for (const el of pieces) {
            const style = getComputedStyle(el);
            out.push([style.color, style.backgroundColor, el.textContent.slice(0, 30)]);
          }
          return out;
        }""", linked)
        assert pairs
        for color, background, text in pairs:
            assert "rgba(0, 0, 0, 0)" not in background, text
            assert contrast(color, background) >= 7, (mode, text, color, background)


COLOURS_JS = """() => {
  const rgb = value => { const probe = document.createElement('span');
    probe.style.color = value; document.body.appendChild(probe);
    const out = getComputedStyle(probe).color; probe.remove(); return out; };
  const seek = getComputedStyle(document.getElementById('player-seek'));
  const box = getComputedStyle(document.getElementById('article-player'));
  const figure = getComputedStyle(document.querySelector('figure.audio'));
  return {edge: rgb(seek.getPropertyValue('--seek-edge')),
          done: rgb(seek.getPropertyValue('--seek-done')),
          rest: rgb(seek.getPropertyValue('--seek-rest')),
          box: box.backgroundColor,
          borders: [[box.borderTopWidth, box.borderTopColor],
                    [figure.borderTopWidth, figure.borderTopColor]]};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["light", "dark", "forced"])
def test_seek_bar_contrast_and_borders(fake_audio_site: Path, browser_pages,
                                       mode: str) -> None:
    """Item 3's list: the position bar's outline and its heard part stand out 3:1 from the
    player's box (WCAG 1.4.11), and the player and each Listen box keep a visible border in
    every mode (drawn by background alone, a box vanishes in forced colours)."""
    with player_in_mode(browser_pages, fake_audio_site, mode) as page:
        found = page.evaluate(COLOURS_JS)
        assert contrast(found["edge"], found["box"]) >= 3, found
        assert contrast(found["done"], found["rest"]) >= 3, found
        for width, colour in found["borders"]:
            assert float(width.removesuffix("px")) >= 2, found
            assert colour != "rgba(0, 0, 0, 0)" or mode != "forced", found


# --- the embedded data, without a browser ---------------------------------------------------

class _Hostile(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        if message == "Pause":
            return "</script><script>alert('pause')</script>"
        return message


def test_the_embedded_json_cannot_end_its_script_element(tmp_path: Path) -> None:
    from pipeline.model import AudioTrack, SentenceTiming
    from pipeline.report import Reporter
    from pipeline.stages.localize import localize
    from pipeline.stages.read import read_article
    from pipeline.stages.render import Renderer, UIText

    root = copy_sample_project(tmp_path / "project")
    source = read_article(root / "source" / "dermatomyositis.md", "source/dermatomyositis.md",
                          "en", Reporter(stream=io.StringIO()))
    article = localize(source, "en", None, lambda issue: None)
    evil = "Medications </script><!--<script>alert(1)</script>"
    sections = tuple(replace(s, heading=replace(s.heading, text=evil)) if s.id == "medications"
                     else s for s in article.sections)
    article = replace(article, sections=sections)
    tracks = {s.id: AudioTrack("en", "dermatomyositis", s.id, f"en/audio/x/{s.id}.mp3", "v",
                               3.0, 1000, sentences=(SentenceTiming(f"s-{s.id}-1", 0, 3.0),))
              for s in article.sections}
    html = Renderer(root, "Health Library", "en").article_page(
        article, [], UIText(_Hostile(), "en", "en"), tracks, "")
    start = html.index('<script type="application/json" id="article-audio">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    data = json.loads(body)
    assert "<" not in body and ">" not in body
    assert data["labels"]["pause"] == "</script><script>alert('pause')</script>"
    labels = [s["label"] for s in data["sections"]]
    assert evil in labels
    assert html.count("<script") == 2  # player.js and the data, nothing injected
