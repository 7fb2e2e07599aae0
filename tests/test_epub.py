"""EPUB 3 talking books (issue 16.3): EPUBCheck-clean, overlays that follow the page's sentence
spans and the manifest's timings, right-to-left Arabic, text-only books without a voice,
identical bytes on rebuild, translated text kept as text, one book rebuilt per changed
catalog. Sites are built in-process with the fake speech engine (its MP3s are real MP3s)."""
from __future__ import annotations

import io
import json
import os
import pickle
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import polib
import pytest

from pipeline.build import BuildOptions, build
from pipeline.config import load_config
from pipeline.outputs.epub import book_identifier
from pipeline.outputs.epub_pack import Book, Chapter, Clip, Text, pack
from pipeline.report import Reporter
from pipeline.tts.fake import FakeEngine

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "tests" / "projects" / "site"
EPUBCHECK = REPO / ".venv" / "lib" / "python3.11" / "site-packages" / "epubcheck"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "smil": "http://www.w3.org/ns/SMIL"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# One JVM checks every book (EPUBCheck's command line takes one file, and starting Java
# costs ~10 s of CPU a time on these machines); the same checker as `java -jar epubcheck.jar`.
RUNNER = """
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class CheckBooks {
    public static void main(String[] args) {
        System.setErr(System.out);
        System.out.println("VERSION " + EpubCheck.version());
        for (String path : args) {
            DefaultReportImpl report = new DefaultReportImpl(path);
            new EpubCheck(new File(path), report).doValidate();
            System.out.println("RESULT " + report.getFatalErrorCount() + " "
                + report.getErrorCount() + " " + report.getWarningCount() + " " + path);
        }
    }
}
"""


def copy_project(source: Path, target: Path, outputs: str = "epub = true") -> Path:
    """A scratch copy whose [outputs] make EPUBs only (the sample's PDFs are another test's)."""
    target.mkdir(parents=True)
    for name in ("source", "locales", "templates"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    text = (source / "pipeline.toml").read_text()
    text = re.sub(r"(?m)^(pdf|bilingual|bundles|epub)\s*=.*\n", "", text)
    if "[outputs]" in text:
        text = text.replace("[outputs]", f"[outputs]\n{outputs}", 1)
    else:
        text += f"\n[outputs]\n{outputs}\n"
    (target / "pipeline.toml").write_text(text)
    return target


def run(root: Path, **options) -> str:
    """Build in-process with the fake engine; the build's log."""
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    options.setdefault("engine_factory", FakeEngine)
    build(load_config(root), reporter, BuildOptions(jobs=1, **options))
    assert reporter.errors == 0, log.getvalue()
    return log.getvalue()


def books(root: Path) -> list[Path]:
    return sorted((root / "output").glob("*/*.epub"))


def set_msgstr(po_path: Path, msgid: str, msgstr: str) -> None:
    po = polib.pofile(str(po_path), wrapwidth=79)
    po.find(msgid).msgstr = msgstr
    po.save()


@pytest.fixture(scope="module")
def voiced(tmp_path_factory) -> Path:
    """The test project (en, es, ar), with audio."""
    root = copy_project(SITE, tmp_path_factory.mktemp("voiced") / "site")
    run(root)
    return root


@pytest.fixture(scope="module")
def silent(tmp_path_factory) -> Path:
    """The test project built without audio."""
    root = copy_project(SITE, tmp_path_factory.mktemp("silent") / "site")
    run(root, audio=False)
    return root


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The repository's sample, every locale published: Tagalog has no voice (text only)."""
    root = copy_project(REPO, tmp_path_factory.mktemp("sample") / "sample")
    config = root / "pipeline.toml"
    config.write_text(re.sub(r"publish_threshold = \d+", "publish_threshold = 0",
                             config.read_text()))
    run(root)
    return root


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> tuple[Path, str, dict[Path, int]]:
    """The test project built, then two Spanish msgstrs changed (one trying to inject
    markup, one plain text with > and &) and built again with --explain."""
    root = copy_project(SITE, tmp_path_factory.mktemp("edited") / "site")
    run(root)
    before = {p: p.stat().st_mtime_ns for p in books(root)}
    po = root / "locales" / "es" / "LC_MESSAGES" / "hydration.po"
    set_msgstr(po, "Why Water Matters", 'Por qué <script>alert(1)</script><img src=x onerror="alert(2)">')
    set_msgstr(po, "How Much to Drink", "Cuánto beber: agua > refresco & té")
    return root, run(root, explain=True), before


def epubcheck(paths: list[Path]) -> tuple[str, dict[Path, tuple[int, int, int, str]]]:
    """EPUBCheck's version, and each book's (fatal errors, errors, warnings, messages)."""
    runner = paths[0].parent / "CheckBooks.java"
    runner.write_text(RUNNER)
    done = subprocess.run(
        ["java", "-cp", f"{EPUBCHECK / 'epubcheck.jar'}:{EPUBCHECK / 'lib'}/*", str(runner),
         *map(str, paths)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    version = re.search(r"^VERSION (.+)$", done.stdout, re.M).group(1)
    results, messages = {}, []
    for line in done.stdout.splitlines():
        found = re.match(r"RESULT (\d+) (\d+) (\d+) (.+)$", line)
        if found:
            counts = tuple(int(n) for n in found.groups()[:3])
            results[Path(found.group(4))] = (*counts, "\n".join(messages))
            messages = []
        elif not line.startswith(("VERSION", "Validating")):
            messages.append(line)
    return version, results


def test_every_book_passes_epubcheck(voiced, silent, sample, edited, tmp_path):
    made = books(voiced) + books(silent) + books(sample) + books(edited[0])
    assert len(made) == 3 + 3 + 8 + 3
    # The checker must be able to fail: a book with a broken document and a missing file.
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(made[0]) as good, zipfile.ZipFile(broken, "w") as bad:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.endswith("section-1.xhtml"):
                data = data.replace(b"</section>", b"")
            if not info.filename.endswith("style.css"):
                bad.writestr(info, data)
    version, results = epubcheck([broken, *made])
    assert version.startswith("5.")
    assert sum(results[broken][:2]) >= 2, results[broken]  # fatal, errors
    for path in made:
        fatal, errors, warnings, messages = results[path]
        assert (fatal, errors, warnings) == (0, 0, 0), f"{path}:\n{messages}"


def test_one_book_per_published_page(voiced, sample):
    for root in (voiced, sample):
        pages = {p.with_suffix(".epub") for p in (root / "output").glob("*/*.html")
                 if p.name != "index.html"}
        assert set(books(root)) == pages
    assert {p.parent.name for p in books(sample)} == {
        "en", "es", "zh-Hans", "vi", "ar", "ht", "ru", "tl"}


def read_book(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def documents(files: dict[str, bytes]) -> list[tuple[str, ET.Element]]:
    return [(name, ET.fromstring(data)) for name, data in sorted(
        files.items(), key=lambda item: _number(item[0])) if name.startswith("EPUB/text/")]


def _number(name: str) -> int:
    found = re.search(r"(\d+)\.\w+$", name)
    return int(found.group(1)) if found else 0


def test_overlays_cover_every_sentence_in_reading_order(voiced, sample):
    overlays = 0
    for path in books(voiced) + books(sample):
        files = read_book(path)
        for name, document in documents(files):
            smil_name = name.replace("/text/", "/overlays/").replace(".xhtml", ".smil")
            order = [e.get("id") for e in document.iter() if e.get("id")]
            spans = [e.get("id") for e in document.iter(f"{{{NS['x']}}}span")
                     if e.get("class") == "s" and e.get("id")]
            if smil_name not in files:  # a section not read aloud has no sentence spans
                assert not spans, (path, name)
                continue
            overlays += 1
            targets = [t.get("src").split("#")[1] for t in
                       ET.fromstring(files[smil_name]).iter(f"{{{NS['smil']}}}text")]
            assert set(spans) <= set(targets), (path, name)
            assert all(t in order for t in targets), (path, name)
            positions = [order.index(t) for t in targets]
            assert positions == sorted(positions), (path, name)
    assert overlays >= 3 * 3 + 7 * 3


def test_clips_are_the_manifests_sentence_timings(voiced, sample):
    for root in (voiced, sample):
        assert_clips_match_the_manifest(root)


def assert_clips_match_the_manifest(root: Path) -> None:
    manifest = json.loads((root / "output" / "manifest.json").read_text())
    tracks = {entry["path"]: entry for entry in manifest["audio"]}
    checked = 0
    for path in books(root):
        files = read_book(path)
        for name, document in documents(files):
            section = document.find(".//x:section", NS).get("id")
            track = tracks.get(f"{path.parent.name}/audio/{path.stem}/{section}.mp3")
            if track is None:
                continue
            audio = name.replace("/text/", "/audio/").replace(".xhtml", ".mp3")
            assert files[audio] == (root / "output" / track["path"]).read_bytes()
            times = {s["id"]: (s["start"], s["end"]) for s in track["sentences"]}
            smil = ET.fromstring(files[audio.replace("/audio/", "/overlays/")
                                       .replace(".mp3", ".smil")])
            for par in smil.iter(f"{{{NS['smil']}}}par"):
                target = par.find("smil:text", NS).get("src").split("#")[1]
                clip = par.find("smil:audio", NS)
                begin, end = (float(clip.get(k).rstrip("s")) for k in ("clipBegin", "clipEnd"))
                if target.startswith("s-"):
                    assert (begin, end) == pytest.approx(times[target], abs=0.0006)
                else:  # an image: its description's sentences, which have no element
                    assert begin in [pytest.approx(s, abs=6e-4) for s, _ in times.values()]
                    assert end <= track["duration"] + 0.001
                checked += 1
    assert checked > 10


def package(files: dict[str, bytes]) -> ET.Element:
    return ET.fromstring(files["EPUB/package.opf"])


def metas(opf: ET.Element, prop: str) -> list[str]:
    return [m.text for m in opf.iterfind(".//opf:meta", NS) if m.get("property") == prop
            and m.get("refines") is None]


def test_package_metadata_and_navigation(voiced):
    files = read_book(voiced / "output" / "es" / "hydration.epub")
    opf = package(files)
    assert opf.find(".//dc:identifier", NS).text == book_identifier("", "es", "hydration")
    assert opf.find(".//dc:title", NS).text == "Mantenerse hidratado"
    assert [e.text for e in opf.iterfind(".//dc:language", NS)][0] == "es"
    assert metas(opf, "dcterms:modified") == ["2024-03-15T00:00:00Z"]
    assert metas(opf, "schema:accessMode") == ["textual", "auditory", "visual"]
    features = metas(opf, "schema:accessibilityFeature")
    assert {"synchronizedAudioText", "structuralNavigation", "tableOfContents",
            "readingOrder", "alternativeText"} <= set(features)
    assert metas(opf, "schema:accessibilityHazard") == ["none"]
    assert metas(opf, "schema:accessibilitySummary")[0]
    assert metas(opf, "media:active-class") == ["reading-now"]
    parts = [m.text for m in opf.iterfind(".//opf:meta", NS)
             if m.get("property") == "media:duration" and m.get("refines")]
    assert len(parts) == 3  # introduction, two sections; the references are not read
    assert _ms(metas(opf, "media:duration")[0]) == sum(_ms(p) for p in parts)
    nav = ET.fromstring(files["EPUB/nav.xhtml"])
    labels = [a.text for a in nav.iterfind(".//x:nav/x:ol/x:li/x:a", NS)]
    assert labels == ["Mantenerse hidratado", "Por qué importa el agua",
                      "Señales de deshidratación", "Referencias"]


def _ms(clock: str) -> int:
    hours, minutes, seconds = clock.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def test_arabic_reads_right_to_left(voiced):
    files = read_book(voiced / "output" / "ar" / "hydration.epub")
    opf = package(files)
    assert opf.get("dir") == "rtl" and opf.get(XML_LANG) == "ar"
    assert opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    for name, document in documents(files) + [("nav", ET.fromstring(files["EPUB/nav.xhtml"]))]:
        assert (document.get("dir"), document.get("lang"), document.get(XML_LANG)) == \
            ("rtl", "ar", "ar"), name
    # the references stay in English, marked as such, inside the Arabic book
    references = documents(files)[-1][1]
    items = list(references.iterfind(".//x:li", NS))
    assert items and all((li.get("lang"), li.get("dir")) == ("en", "ltr") for li in items)
    english = read_book(voiced / "output" / "en" / "hydration.epub")
    assert package(english).find("opf:spine", NS).get("page-progression-direction") is None


def assert_text_only(path: Path) -> None:
    files = read_book(path)
    assert not [n for n in files if n.endswith((".smil", ".mp3"))], path
    opf = package(files)
    assert "auditory" not in metas(opf, "schema:accessMode")
    assert "synchronizedAudioText" not in metas(opf, "schema:accessibilityFeature")
    assert not metas(opf, "media:duration") and b"media-overlay" not in files["EPUB/package.opf"]


def test_text_only_books_without_audio_or_voice(silent, sample):
    for path in books(silent):
        assert_text_only(path)
    assert_text_only(sample / "output" / "tl" / "dermatomyositis.epub")
    assert b".smil" in read_book(sample / "output" / "es" / "dermatomyositis.epub")[
        "EPUB/package.opf"]
    # Tagalog's untranslated text keeps its own language inside the Tagalog book
    tagalog = documents(read_book(sample / "output" / "tl" / "dermatomyositis.epub"))
    assert any(e.get("lang") == "en" for _, d in tagalog for e in d.iter())


def test_same_input_gives_the_same_bytes(voiced, tmp_path):
    again = copy_project(voiced, tmp_path / "again")
    shutil.rmtree(again / "output", ignore_errors=True)
    run(again)
    for path in books(voiced):
        assert (again / "output" / path.relative_to(voiced / "output")).read_bytes() == \
            path.read_bytes(), path
        with zipfile.ZipFile(path) as archive:
            entries, mimetype = archive.infolist(), archive.read("mimetype")
        assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED
        assert entries[0].extra == b"" and mimetype == b"application/epub+zip"
        assert {(e.date_time, e.external_attr) for e in entries} == {
            ((1980, 1, 1, 0, 0, 0), 0o100644 << 16)}


def test_packing_is_pure():
    book = Book(identifier="urn:uuid:0", title=Text("T"), lang="en", dir="ltr",
                languages=("en",), modified="2000-01-01T00:00:00Z", publisher="P",
                summary=Text("S"), css=b"", chapters=(Chapter(
                    "section-1", Text("T"), "<html/>", b"\xff\xfb", (Clip("s-a-1", 0, 1500),)),))
    data = pack(book)
    assert pack(pickle.loads(pickle.dumps(book))) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        smil = archive.read("EPUB/overlays/section-1.smil").decode()
    assert 'clipBegin="0.000s" clipEnd="1.500s"' in smil


def test_translated_markup_stays_text(edited):
    root, _, _ = edited
    files = read_book(root / "output" / "es" / "hydration.epub")
    elements = {e.tag.split("}")[1] for _, d in documents(files) for e in d.iter()}
    assert "script" not in elements
    images = [e for _, d in documents(files) for e in d.iter(f"{{{NS['x']}}}img")]
    assert [i.get("src") for i in images] == ["../images/image-1.png"]
    section = documents(files)[1][1]
    heading = section.find(".//x:h2", NS)
    # the injection failed the checks: the source heading is shown, in its language
    assert "".join(heading.itertext()) == "Why Water Matters" and heading.get("lang") == "en"
    subheading = section.find(".//x:h3", NS)
    assert "".join(subheading.itertext()) == "Cuánto beber: agua > refresco & té"
    assert "agua &gt; refresco &amp; té".encode() in files[documents(files)[1][0]]


def test_one_msgstr_rebuilds_that_locales_book_only(edited):
    root, log, before = edited
    ran = re.findall(r"explain: epub:(\S+): changed: (.+)", log)
    assert [name for name, _ in ran] == ["es/hydration.epub"]
    assert "article" in ran[0][1]
    for path, stamp in before.items():
        assert (path.stat().st_mtime_ns == stamp) == (path.parent.name != "es"), path
    assert "explain: epub:" not in run(root, explain=True)  # nothing changed: nothing made


@pytest.mark.speech
def test_real_speech_book(tmp_path):
    root = copy_project(SITE, tmp_path / "site")
    run(root, engine_factory=None)
    assert_clips_match_the_manifest(root)
    version, results = epubcheck(books(root))
    for path in books(root):
        assert results[path][:3] == (0, 0, 0), results[path][3]


@pytest.mark.browser
def test_daisy_ace_finds_no_violations(sample, tmp_path):
    """DAISY Ace with the installed Chromium. Not in the test set-up (npm: `npm install
    --ignore-scripts @daisy/ace`, whose Electron download fails offline and is not needed);
    point ACE at its ace-puppeteer to run it."""
    ace = os.environ.get("ACE") or shutil.which("ace-puppeteer")
    if not ace:
        pytest.skip("DAISY Ace is not installed (set ACE to its ace-puppeteer)")
    for path in books(sample):
        report = tmp_path / path.parent.name
        done = subprocess.run([ace, "-s", "-f", "-o", str(report), str(path)],
                              env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium"},
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        result = json.loads((report / "report.json").read_text())
        found = [(doc["earl:testSubject"]["url"], test["earl:test"]["dct:title"])
                 for doc in result["assertions"] for test in doc.get("assertions", [])]
        assert result["earl:result"]["earl:outcome"] == "pass" and not found, (path, found)
