"""Helpers for the browser tests: the sample site built once, headless Chromium, axe-core.

Chromium is Debian's ``/usr/bin/chromium`` (test-tool browser downloads fail here). One browser
runs per test session, with one context whose pages are reused; a test opens pages with
``browser_pages.open(path)`` (a file:// URL). Any request that is not a local file is blocked
and recorded, and a failed load or script error is recorded too: the test that loaded the page
fails (a web font, a CDN script, a missing style sheet).

The fixtures are registered once, in conftest.py, for every test module: imported into two
modules, a session fixture ran twice in one worker, and the second Playwright failed inside
the first one's event loop ("Sync API inside the asyncio loop").
"""
from __future__ import annotations

import atexit
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pytest

from sitekit import REPO, build_site, copy_sample_project, run_pipeline
from sitekit import site_pages as sitekit_site_pages

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 # axe-core reads the style sheets (css-orientation-lock); from file:// pages
                 # that needs file access, or the XHR is refused and the rule cannot run.
                 "--allow-file-access-from-files"]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CONTRAST_RULES = ["color-contrast", "color-contrast-enhanced"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


# --- which pages the sample site has ------------------------------------------------------

@dataclass(frozen=True)
class PlannedSite:
    source_tag: str
    tags: dict[str, str]  # BCP 47 tag -> gettext code, for the locales that have pages
    pages: tuple[str, ...]  # paths relative to output/, e.g. "ar/dermatomyositis.html"
    articles: tuple[str, ...]  # the article pages among them


@lru_cache(maxsize=None)
def planned_site() -> PlannedSite:
    """The pages of the sample site, from a build made at collection time (through the CLI
    and manifest.json only, so refactoring the pipeline's insides cannot break collection),
    so tests can be parametrized per page. The session fixture builds again into pytest's
    tmp_path and a test checks it has exactly these pages, so none escapes the checks."""
    scratch = Path(tempfile.mkdtemp(prefix="browser-plan-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    root = copy_sample_project(scratch / "project")
    done = run_pipeline(root, "build", "--no-audio")
    output = root / "output"
    if done.returncode != 0 or not (output / "manifest.json").is_file():
        # Collect no page tests; test_the_build_makes_exactly_the_planned_pages shows why.
        return PlannedSite("en", {}, (), ())
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    pages = sorted(str(p.relative_to(output)) for p in sitekit_site_pages(output))
    return PlannedSite(
        source_tag=manifest["source_language"],
        tags={loc["tag"]: loc["code"] for loc in manifest["locales"] if loc["articles"]},
        pages=tuple(pages),
        articles=tuple(sorted(page["path"] for page in manifest["pages"])),
    )


# --- built sites ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``output/`` of the repository's sample content, built once with ``--no-audio``."""
    root = copy_sample_project(tmp_path_factory.mktemp("sample") / "project")
    return build_site(root, "--no-audio")


@pytest.fixture(scope="session")
def fake_audio_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with audio players on its pages: built in-process with the fake speech
    engine (deterministic tones, instant), so the real speak stage writes real MP3 files and
    the pages get their figure, audio element and download link without espeak-ng."""
    from pipeline.build import BuildOptions, build
    from pipeline.config import load_config
    from pipeline.report import Reporter
    from pipeline.tts.fake import FakeEngine

    root = copy_sample_project(tmp_path_factory.mktemp("fake-audio") / "project")
    log = io.StringIO()
    reporter = Reporter(log, quiet=True)
    build(load_config(root), reporter, BuildOptions(audio=True, jobs=1,
                                                    engine_factory=FakeEngine))
    assert reporter.errors == 0, log.getvalue()
    return root / "output"


@pytest.fixture(scope="session")
def speech_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with real speech, when the speak stage exists (built once)."""
    if not (REPO / "pipeline" / "stages" / "speak.py").exists():
        pytest.skip("pipeline/stages/speak.py does not exist yet; fake_audio_site covers "
                    "the players")
    root = copy_sample_project(tmp_path_factory.mktemp("speech") / "project")
    return build_site(root)


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What a page did that no page of this site may do."""

    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"external request (blocked): {u}" for u in self.external]
        lines += [f"failed request: {u}" for u in self.failed]
        lines += [f"script error: {e}" for e in self.errors]
        return "\n".join(lines)


class PagePool:
    """One browser context for the session; pages are reused between tests (a new page costs
    more than loading one), each tracking what it did since it was last handed out."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           color_scheme="light", reduced_motion="no-preference",
                                           service_workers="block")
        self.context.route("**/*", self._route)
        self.free: list = []
        self.problems: dict[object, PageProblems] = {}

    @staticmethod
    def _route(route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _new_page(self):
        page = self.context.new_page()
        problems = lambda: self.problems[page]  # noqa: E731 - the current holder's record

        def on_request(request) -> None:
            if not request.url.startswith(LOCAL_SCHEMES):
                problems().external.append(request.url)

        def on_failed(request) -> None:
            # A media element aborts its own requests when it seeks, changes source or its
            # page goes (a page taken from the pool may still be loading the last holder's
            # audio); a missing file fails otherwise (net::ERR_FILE_NOT_FOUND).
            aborted_media = request.failure == "net::ERR_ABORTED" and \
                request.url.endswith((".mp3", ".vtt"))
            if request.url.startswith(LOCAL_SCHEMES) and not aborted_media:
                problems().failed.append(f"{request.url} ({request.failure})")

        def on_console(message) -> None:
            if message.type == "error":
                problems().errors.append(message.text)

        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("pageerror", lambda exc: problems().errors.append(str(exc)))
        page.on("console", on_console)
        return page

    def acquire(self):
        page = self.free.pop() if self.free else self._new_page()
        self.problems[page] = PageProblems()
        return page

    def release(self, page) -> None:
        if not page.is_closed():
            self.free.append(page)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def page_pool(chromium) -> Iterator[PagePool]:
    pool = PagePool(chromium)
    yield pool
    pool.close()


class SitePages:
    """A test's pages: opened from file:// with a given viewport and colour scheme; any
    request off the local disk, failed load or script error fails the test."""

    def __init__(self, pool: PagePool):
        self.pool = pool
        self.pages: list = []

    def open(self, path: Path, width: int = 1280, height: int = 900, scheme: str = "light"):
        page = self.pool.acquire()
        self.pages.append(page)
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme=scheme, media="screen")
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        self.check(page)
        return page

    def check(self, page) -> None:
        problems = self.pool.problems[page]
        assert not (problems.external or problems.failed or problems.errors), (
            f"{page.url}:\n{problems.describe()}")

    def close(self) -> None:
        try:
            for page in self.pages:
                if not page.is_closed():
                    self.check(page)
        finally:
            for page in self.pages:
                self.pool.release(page)


@pytest.fixture
def browser_pages(page_pool: PagePool) -> Iterator[SitePages]:
    """``browser_pages.open(path, width=, height=, scheme=)`` -> a loaded Playwright page."""
    pages = SitePages(page_pool)
    yield pages
    pages.close()


# --- axe-core -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, *, tags: list[str] | None = None, rules: list[str] | None = None) -> dict:
    """Run axe-core on a loaded page: by tags (plus the AAA contrast rule) or by rule ids."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    if rules is not None:
        options = {"runOnly": {"type": "rule", "values": rules}}
    else:
        options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS},
                   "rules": {"color-contrast-enhanced": {"enabled": True}}}
    options["resultTypes"] = ["violations", "incomplete"]
    return page.evaluate("options => axe.run(document, options)", options)


def format_axe(results: dict, kind: str = "violations") -> str:
    lines = []
    for item in results[kind]:
        lines.append(f"- {item['id']} ({item.get('impact') or 'n/a'}): {item['help']} "
                     f"[{item['helpUrl']}]")
        for node in item["nodes"][:10]:
            why = "; ".join(c["message"] for group in ("any", "all", "none")
                            for c in node.get(group, []) if c.get("message"))
            lines.append(f"    {' '.join(map(str, node['target']))}: {why}")
            lines.append(f"      {node['html'][:160]}")
        if len(item["nodes"]) > 10:
            lines.append(f"    ... and {len(item['nodes']) - 10} more")
    return "\n".join(lines)


def vnu_check(paths: list[Path], *extra: str) -> list[dict]:
    """Nu HTML Checker (offline) messages for ``paths`` (errors only)."""
    import subprocess

    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.skip("java or node_modules/vnu-jar is not installed")
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                           *extra, *map(str, paths)], capture_output=True, text=True,
                          timeout=300)
    # vnu writes its JSON report to stderr; the exit code is 1 when there are errors.
    text = done.stderr.strip() or done.stdout.strip()
    match = re.search(r"\{.*\}", text, re.S)
    assert match, f"vnu gave no JSON report (exit {done.returncode}):\n{text[:2000]}"
    return json.loads(match.group(0))["messages"]


def format_vnu(messages: list[dict], base: Path) -> str:
    lines = []
    for m in messages:
        url = m.get("url", "")
        where = url.removeprefix("file:")
        try:
            where = str(Path(where).relative_to(base))
        except ValueError:
            pass
        lines.append(f"{where}:{m.get('lastLine', m.get('firstLine', 0))}:"
                     f"{m.get('firstColumn', 0)}: {m.get('type')}: {m.get('message')}"
                     f"\n    {m.get('extract', '').strip()[:160]}")
    return "\n".join(lines)
