"""PDF handouts and bilingual handouts, checked with the tools a reader's computer has:
pdftotext (the words, in reading order), pdfinfo and pypdf (tagged, language, title), pdffonts
(embedded), pdftoppm + zxing-cpp (the QR codes decode to the page and its audio)."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pypdf
import pytest

from pipeline.build import BuildOptions, build
from pipeline.inline import to_plain
from pipeline.config import load_config
from pipeline.report import Reporter
from pipeline.stages.render import format_review_date
from pipeline.tts.fake import FakeEngine
from sitekit import copy_sample_project

SITE = Path(__file__).parent / "projects" / "site"
BASE = "https://example.org/health/"
OUTREACH = '\n[outputs]\npdf = true\nbilingual = true\n'
# Bidi embedding marks pdftotext puts around right-to-left lines, and white space (a long
# heading may wrap; Chinese has no spaces to wrap at).
NOISE = re.compile(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def configure(root: Path, base_url: str = BASE, organisation: str = "Clinic Outreach") -> None:
    """Handouts on (and only they, whatever [outputs] and [site] the project had)."""
    toml = root / "pipeline.toml"
    text = re.sub(r"^\[(outputs|site)\]\n(?:(?!\[).*\n?)*", "",
                  toml.read_text(encoding="utf-8"), flags=re.M)
    site = f'\n[site]\norganisation = "{organisation}"\n'
    if base_url:
        site += f'base_url = "{base_url}"\n'
    toml.write_text(text + site + OUTREACH, encoding="utf-8")


def run(root: Path, **options) -> dict:
    """Build in-process with the fake speaker; the build's counters and its log."""
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    build(load_config(root), reporter, BuildOptions(engine_factory=FakeEngine, jobs=1,
                                                    **options))
    assert reporter.errors == 0, log.getvalue()
    counters = json.loads((root / ".pipeline-cache" / "last-build.json").read_text())
    counters["log"] = log.getvalue()
    return counters


def text_of(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout


def squeeze(text: str) -> str:
    return NOISE.sub("", text)


def assert_in_order(found: str, expected: list[str]) -> None:
    """Each of ``expected`` appears in ``found``, one after another."""
    haystack, at = squeeze(found), 0
    for item in expected:
        where = haystack.find(squeeze(item), at)
        assert where >= 0, f"{item!r} not found (in order) in:\n{found}"
        at = where + len(squeeze(item))


def headings(root: Path, locale: str, slug: str = "dermatomyositis") -> list[str]:
    """The title and ``##`` headings of an article as ``locale`` publishes them (the
    catalog's msgstr where there is one): what its handout must show, in order."""
    source = (root / "source" / f"{slug}.md").read_text(encoding="utf-8")
    texts = [re.search(r"^title: (.+)$", source, re.M).group(1)] + [
        re.sub(r"\s*\{[^}]*\}$", "", h) for h in re.findall(r"^## (.+)$", source, re.M)]
    po = root / "locales" / locale / "LC_MESSAGES" / f"{slug}.po"
    done = {e.msgid: e.msgstr for e in polib.pofile(str(po)) if e.msgstr and not e.fuzzy} \
        if po.exists() else {}
    return [to_plain(done.get(text, text)) for text in texts]


def qr_codes(pdf: Path, tmp: Path) -> set[str]:
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(pdf),
                    str(tmp / "page")], check=True)
    image = Image.open(next(tmp.glob("page*.png")))
    return {code.text for code in zxingcpp.read_barcodes(image)}


# -- the sample project: es, ar, zh_Hans (no audio: the text is what is checked) ------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = copy_sample_project(tmp_path_factory.mktemp("sample") / "p")
    configure(root)
    run(root, audio=False)
    return root


@pytest.mark.parametrize("tag", ["es", "ar", "zh-Hans"])
def test_handout_has_the_title_and_every_heading_in_reading_order(sample: Path, tag: str):
    expected = headings(sample, tag.replace("-", "_"))
    assert len(expected) >= 6 and expected != headings(sample, "en")
    assert_in_order(text_of(sample / "output" / tag / "dermatomyositis.pdf"), expected)


@pytest.mark.parametrize("tag", ["es", "ar", "zh-Hans"])
def test_handout_is_tagged_with_its_language_title_and_embedded_fonts(sample: Path, tag: str):
    pdf = sample / "output" / tag / "dermatomyositis.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    reader = pypdf.PdfReader(pdf)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == tag
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert reader.metadata.title == headings(sample, tag.replace("-", "_"))[0]
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # emb column
    if tag == "zh-Hans":  # Simplified Chinese glyphs, not the Japanese forms of the same Han
        assert "Noto-Sans-CJK-SC" in fonts and "CJK-JP" not in fonts, fonts
    if tag == "ar":
        assert "Arabic" in fonts, fonts


def test_handout_masthead_prints_organisation_language_and_address(sample: Path):
    text = text_of(sample / "output" / "es" / "dermatomyositis.pdf")
    assert_in_order(text, ["Clinic Outreach", "Tratamiento", "Español",
                           BASE + "es/dermatomyositis.html",
                           "Escanee para abrir esta página"])  # interface text, translated
    assert re.search(r"^1 ?/ ?\d$", text, re.M), text  # page numbers


def test_bilingual_handout_has_both_languages_side_by_side(sample: Path):
    pdf = sample / "output" / "ar" / "dermatomyositis.bilingual.pdf"
    text = text_of(pdf)
    arabic, english = headings(sample, "ar"), headings(sample, "en")
    for heading in arabic + english:
        assert squeeze(heading) in squeeze(text), heading
    # Section by section: each section's pair of headings comes before the next section's.
    assert_in_order(text, [h for pair in zip(arabic[1:], english[1:]) for h in pair])
    assert pypdf.PdfReader(pdf).trailer["/Root"]["/Lang"] == "ar"
    assert not (sample / "output" / "en" / "dermatomyositis.bilingual.pdf").exists()


# -- the test project with (fake) audio: QR codes, bytes, incremental rule -----------------

@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITE, root, ignore=shutil.ignore_patterns("output", ".pipeline-cache"))
    return root


def test_qr_codes_decode_to_the_page_and_its_audio(site: Path, tmp_path: Path):
    configure(site)
    run(site)
    pdf = site / "output" / "ar" / "hydration.pdf"
    assert qr_codes(pdf, tmp_path) == {BASE + "ar/hydration.html",
                                       BASE + "ar/audio/hydration.mp3"}
    assert (site / "output" / "ar" / "audio" / "hydration.mp3").is_file()
    reviewed = format_review_date("2024-03-15", "ar")  # the source's date, in Arabic
    assert squeeze(reviewed) in squeeze(text_of(pdf))


def test_without_base_url_no_qr_codes_nor_addresses(site: Path, tmp_path: Path):
    configure(site, base_url="")
    done = run(site)
    assert done["log"].count("set [site] base_url") >= 1
    assert done["log"].count("PDF handouts without addresses") == 1
    pdf = site / "output" / "es" / "hydration.pdf"
    assert qr_codes(pdf, tmp_path) == set()
    assert "example.org/health" not in text_of(pdf)


def test_rebuilt_handouts_are_identical_bytes(site: Path):
    configure(site)
    run(site)
    pdfs = sorted((site / "output").rglob("*.pdf"))
    assert len(pdfs) == 5  # en, es, ar; es and ar bilingual
    first = {p: p.read_bytes() for p in pdfs}
    shutil.rmtree(site / "output")
    shutil.rmtree(site / ".pipeline-cache")
    run(site)
    assert {p: p.read_bytes() for p in pdfs} == first


def explained(log: str) -> set[str]:
    return set(re.findall(r"explain: ((?:pdf|bilingual):\S+):", log))


def test_one_msgstr_rebuilds_only_that_locales_handouts(site: Path):
    configure(site)
    run(site)
    set_msgstr(site / "locales/es/LC_MESSAGES/hydration.po", "Keep a bottle",
               "Tenga una botella cerca")
    again = run(site, explain=True)
    assert explained(again["log"]) == {"pdf:es/hydration.pdf",
                                       "bilingual:es/hydration.bilingual.pdf"}, again["log"]
    assert "Tenga una botella cerca" in text_of(site / "output/es/hydration.pdf")
    assert explained(run(site, explain=True)["log"]) == set()  # nothing left to do


def test_template_change_rebuilds_handouts_but_no_audio(site: Path):
    configure(site)
    run(site)
    (site / "templates").mkdir()
    css = (Path(__file__).parents[1] / "pipeline/templates/handout.css").read_text()
    (site / "templates/handout.css").write_text(css.replace("12pt", "13pt"))
    again = run(site, explain=True)
    assert len(explained(again["log"])) == 5
    assert again["sections_synthesized"] == 0


def set_msgstr(po_path: Path, msgid_start: str, msgstr: str) -> None:
    po = polib.pofile(str(po_path), wrapwidth=79)
    next(e for e in po if e.msgid.startswith(msgid_start)).msgstr = msgstr
    po.save()


def test_markup_in_a_msgstr_is_text_or_refused(site: Path):
    configure(site)
    po = site / "locales/es/LC_MESSAGES/hydration.po"
    set_msgstr(po, "Staying Hydrated", "</title><script>alert(1)</script>")
    set_msgstr(po, "Signs of Dehydration", 'Señales <> & "deshidratación" onerror=\'y\'')
    run(site)
    pdf = site / "output/es/hydration.pdf"
    text = text_of(pdf)
    assert "alert" not in text and "<script" not in text
    assert pypdf.PdfReader(pdf).metadata.title == "Staying Hydrated"  # the source, refused
    assert 'Señales <> & "deshidratación" onerror=\'y\'' in text  # shown as written


def test_the_renderer_reads_nothing_from_the_network_or_outside_the_project(tmp_path: Path):
    from pipeline.outputs.print_doc import PrintDoc, _local_fetcher, render_pdf

    inside, outside = tmp_path / "project", tmp_path / "elsewhere.png"
    inside.mkdir()
    (inside / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" '
                                     'height="1"/>')
    outside.write_bytes(b"")
    fetcher = _local_fetcher((str(inside.resolve()),))
    for url in ("https://example.org/x.png", "http://127.0.0.1:9/x.css", outside.as_uri(),
                "ftp://example.org/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((inside / "logo.svg").as_uri()).read().startswith(b"<svg")
    page = ('<html lang="en"><title>T</title><link rel="stylesheet" href="https://example.org'
            '/x.css"><img src="https://example.org/x.png" alt="x"><p>Text</p></html>')
    assert render_pdf(PrintDoc(page, "", (str(inside),), "T")).startswith(b"%PDF-")
