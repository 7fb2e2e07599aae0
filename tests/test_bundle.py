"""Offline bundles (outputs/bundle.py): one zip per locale that works unzipped anywhere,
checked as a user would: unzipped, its checksums verified with sha256sum, every link of every
page followed, and in Chromium from file://."""
from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polib
import pytest
from lxml import html

from pipeline.resources import ASSETS
from pipeline.stages.render import format_size
from tests.test_incremental import PROJECT, run, set_msgstr, snapshot

TAGS = ("en", "es", "ar")
MSGID = "Download everything for offline use (ZIP, {size})"


def with_bundles(root: Path) -> Path:
    config = root / "pipeline.toml"
    text = config.read_text(encoding="utf-8")
    if "[outputs]" in text:
        text = text.replace("[outputs]\n", "[outputs]\nbundles = true\n", 1)
    else:
        text += "\n[outputs]\nbundles = true\n"
    config.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(PROJECT, target)
    return with_bundles(target)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The test project built once with bundles (read-only for the tests that use it)."""
    target = tmp_path_factory.mktemp("bundle") / "site"
    shutil.copytree(PROJECT, target)
    run(with_bundles(target))
    return target


def unzip(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return into


def links(page: Path) -> list[str]:
    tree = html.fromstring(page.read_bytes())
    return [value for element in tree.iter() if isinstance(element.tag, str)
            for name in ("href", "src", "poster", "data")
            if (value := element.get(name)) is not None] + \
        [part.split()[0] for value in tree.xpath("//@srcset") for part in value.split(",")]


def broken_links(folder: Path) -> list[str]:
    """Every relative href/src of every page under ``folder`` whose target is missing."""
    broken = []
    for page in sorted(folder.rglob("*.html")):
        for url in links(page):
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "#")) or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_relative_to(folder.resolve()) or not target.is_file():
                broken.append(f"{page.relative_to(folder)}: {url}")
    return broken


def test_a_bundle_holds_its_locale_its_assets_images_audio_and_a_start_page(built):
    output = built / "output"
    for tag in TAGS:
        with zipfile.ZipFile(output / "bundles" / f"{tag}.zip") as archive:
            names = archive.namelist()
        expected = {"index.html", "SHA256SUMS", "media/images/glass.png",
                    *(f"assets/{a.name}" for a in ASSETS.iterdir()),
                    *(str(p.relative_to(output)) for p in (output / tag).rglob("*")
                      if p.is_file() and p.name != "podcast.xml")}
        assert names[0] == "index.html" and len(names) == len(set(names))
        assert set(names) == expected
        # every kind of file the locale has: pages, section MP3s and transcripts, the whole
        # article's MP3; no other language, no feed
        assert {f"{tag}/index.html", f"{tag}/hydration.html", f"{tag}/audio/hydration.mp3",
                f"{tag}/audio/hydration/signs.mp3",
                f"{tag}/audio/hydration/signs.vtt"} <= set(names)
        assert not [n for n in names if n.split("/")[0] in set(TAGS) - {tag}]


def test_sha256sums_covers_every_other_file_and_verifies(built, tmp_path):
    folder = unzip(built / "output/bundles/ar.zip", tmp_path / "ar")
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=folder,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = {line.split("  ", 1)[1] for line in
              (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert listed == files - {"SHA256SUMS"}
    # a changed file is caught (the check is not vacuous)
    (folder / "ar/hydration.html").write_bytes(b"changed")
    assert subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=folder,
                          capture_output=True).returncode == 1


def test_every_link_in_an_unzipped_bundle_resolves(built, tmp_path):
    # the output site itself links to the other languages: the walk does find missing files
    assert broken_links(built / "output" / "es") != []
    for tag in TAGS:
        folder = unzip(built / f"output/bundles/{tag}.zip", tmp_path / tag)
        assert broken_links(folder) == [], tag
        page = folder / tag / "hydration.html"
        # without an address the other languages are not offered (the list goes)
        assert 'class="languages"' not in page.read_text(encoding="utf-8")
        assert not [url for url in links(page) if re.match(r"\.\./(en|es|ar)/", url)
                    and not url.startswith(f"../{tag}/")]
        start = html.fromstring((folder / "index.html").read_bytes())
        assert start.get("lang") == tag and start.get("dir") == ("rtl" if tag == "ar" else "ltr")
        assert start.xpath("//main//a/@href") == [f"{tag}/index.html"]
        assert not start.xpath("//script")  # a plain link: works without JavaScript


def test_with_an_address_links_to_other_languages_go_online(root, tmp_path):
    config = root / "pipeline.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      '\n[site]\nbase_url = "https://example.org/health"\n', encoding="utf-8")
    run(root)
    folder = unzip(root / "output/bundles/es.zip", tmp_path / "es")
    assert broken_links(folder) == []
    page = html.fromstring((folder / "es/hydration.html").read_bytes())
    switcher = page.xpath("//nav[@class='languages']//a/@href")
    assert sorted(switcher) == ["https://example.org/health/ar/hydration.html",
                                "https://example.org/health/en/hydration.html"]
    assert page.xpath("//link[@hreflang='x-default']/@href") == [
        "https://example.org/health/en/hydration.html"]
    assert not [n for n in zipfile.ZipFile(root / "output/bundles/es.zip").namelist()
                if n.endswith("podcast.xml")]  # the feed is for podcast apps, online


def test_the_zip_is_reproducible_and_its_members_fixed(built, tmp_path):
    bundle = (built / "output/bundles/es.zip").read_bytes()
    with zipfile.ZipFile(built / "output/bundles/es.zip") as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
            assert info.external_attr >> 16 == 0o100644 and info.create_system == 3
            stored = info.filename.endswith((".mp3", ".png", ".pdf", ".epub"))
            assert info.compress_type == (zipfile.ZIP_STORED if stored
                                          else zipfile.ZIP_DEFLATED), info.filename
    # a clean build of a fresh copy elsewhere (other path, other clock) packs the same bytes
    clean = tmp_path / "clean"
    shutil.copytree(built, clean, ignore=shutil.ignore_patterns("output", ".pipeline-cache"))
    run(clean)
    assert (clean / "output/bundles/es.zip").read_bytes() == bundle
    # and so does a forced rebuild in place, which packs it again
    counters = run(clean, force=True)
    assert counters["pages_rendered"] == 3
    assert (clean / "output/bundles/es.zip").read_bytes() == bundle


def test_the_language_index_links_its_bundle_with_its_size(built, tmp_path):
    for tag in TAGS:
        size = (built / f"output/bundles/{tag}.zip").stat().st_size
        index = html.fromstring((built / f"output/{tag}/index.html").read_bytes())
        (link,) = index.xpath("//a[contains(@href, 'bundles/')]")
        assert link.get("href") == f"../bundles/{tag}.zip"
        assert link.get("type") == "application/zip"
        assert link.text_content() == MSGID.format(size=format_size(size, tag))
        # the bundle's own copy of the index does not link to the bundle
        copy = unzip(built / f"output/bundles/{tag}.zip", tmp_path / tag) / tag / "index.html"
        assert "bundles/" not in copy.read_text(encoding="utf-8")


def test_every_sample_locale_translates_the_bundle_link():
    repo = Path(__file__).resolve().parents[1]
    for code in ("es", "ar", "ht", "ru", "vi", "zh_Hans", "tl"):
        path = repo / "locales" / code / "LC_MESSAGES" / "_site.po"
        entry = polib.pofile(str(path)).find(MSGID)
        assert entry is not None and entry.msgstr and "{size}" in entry.msgstr, code
        assert not entry.fuzzy and "python-brace-format" in entry.flags, code
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_a_noop_build_rewrites_nothing(root):
    run(root)
    before = snapshot(root)
    counters = run(root, explain=True)
    assert snapshot(root) == before
    assert "bundle:" not in counters["log"] and "index:" not in counters["log"]


def test_one_msgstr_change_repacks_only_that_locales_bundle(root):
    run(root)
    output = root / "output"
    before = {tag: (output / f"bundles/{tag}.zip").stat().st_mtime_ns for tag in TAGS}
    old_es = (output / "bundles/es.zip").read_bytes()
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", "Your kidneys clear waste",
               "El agua ayuda a su cuerpo a funcionar bien, sobre todo cuando hace mucho "
               "calor y usted camina durante horas bajo el sol del mediodía.")
    counters = run(root, explain=True)
    assert re.findall(r"explain: bundle:(\S+):", counters["log"]) == ["es"]
    after = {tag: (output / f"bundles/{tag}.zip").stat().st_mtime_ns for tag in TAGS}
    assert after["en"] == before["en"] and after["ar"] == before["ar"]
    new_es = (output / "bundles/es.zip").read_bytes()
    assert new_es != old_es
    with zipfile.ZipFile(output / "bundles/es.zip") as archive:
        assert "sobre todo cuando hace mucho calor" in archive.read(
            "es/hydration.html").decode("utf-8")
    # the index shows the new size (its job has the size as an input)
    index = (output / "es/index.html").read_text(encoding="utf-8")
    assert f"<bdi>{format_size(len(new_es), 'es')}</bdi>" in index


def test_a_bundle_cut_short_is_made_again(root):
    """Bundles are written without fsync: a power cut can leave one truncated, and its size
    then tells the next build so."""
    run(root)
    zip_path = root / "output/bundles/es.zip"
    whole = zip_path.read_bytes()
    zip_path.write_bytes(whole[:1000])
    run(root)
    assert zip_path.read_bytes() == whole
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.testzip() is None


def test_bundles_off_makes_no_zip_and_no_link(tmp_path):
    target = tmp_path / "site"
    shutil.copytree(PROJECT, target)
    run(target)
    assert not (target / "output/bundles").exists()
    assert "bundles/" not in (target / "output/es/index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_an_unzipped_bundle_opens_from_file_and_leads_to_an_article(built, tmp_path,
                                                                    browser_pages):
    folder = unzip(built / "output/bundles/ar.zip", tmp_path / "ar")
    page = browser_pages.open(folder / "index.html")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("main a[href='ar/index.html']").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/ar/index.html")
    page.locator("main .article-list a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/ar/hydration.html")
    assert page.evaluate("document.styleSheets.length") >= 1
    # file:// has no fetch(); the suite's Chromium may read local files with XHR
    audio = page.locator("audio[src]").first
    assert audio.evaluate("""a => { const r = new XMLHttpRequest(); r.open('GET', a.src, false);
                                    r.send(); return r.responseText.length > 1000; }""")
    image = page.locator("img").first
    assert image.evaluate("i => i.decode().then(() => i.naturalWidth > 0)")
    browser_pages.check(page)
