"""Review pages at output/_review/: a coverage table (noindex, not linked from the public site)
and, per article and locale, source and translation side by side with each segment's status
(translated, fuzzy with the previous source as a diff, untranslated, failing with its reason)
and the PO file and line to edit; for a locale with a voice, the written and the spoken form of
each segment with the tokens the speech-text stage changed marked (issue 14).

The quality project is built once: es/medicine has a wrong dose (failing) and an untranslated
paragraph; es/rest and ar/rest are complete until their source changes, after which extract and
update (GNU msgmerge) make one entry fuzzy with a ``#|`` previous msgid.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest

from catalog_helpers import issues
from test_checks import (LOCALES, MEDICINE_ES, REST, TAGS, fill, msgstr_line, norm, ok,
                         parse_html, po_file, pot_msgids, quality_base, rel_po, run,  # noqa: F401
                         words)

OLD = "Sleep eight hours each night."
NEW = "Sleep eight hours every night."
WRONG_DOSE = ("Take 10 mg of prednisone each morning.", "Tome 100 mg de prednisona cada mañana.")
UNTRANSLATED = "Call your doctor if you have a fever."


@pytest.fixture(scope="module")
def built(tmp_path_factory, quality_base: Path) -> Path:
    root = tmp_path_factory.mktemp("review") / "quality"
    shutil.copytree(quality_base, root)
    medicine = {k: v for k, v in MEDICINE_ES.items() if k != UNTRANSLATED}
    medicine[WRONG_DOSE[0]] = WRONG_DOSE[1]
    fill(po_file(root, "es", "medicine"), medicine)
    fill(po_file(root, "es", "rest"), REST["es"])
    fill(po_file(root, "ar", "rest"), REST["ar"])
    ok(root, "update")
    source = root / "source" / "rest.md"
    text = source.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    source.write_text(text.replace(OLD, NEW), encoding="utf-8")
    ok(root, "extract")
    ok(root, "update")
    entry = next(e for e in polib.pofile(str(po_file(root, "es", "rest"))) if e.msgid == NEW)
    assert "fuzzy" in entry.flags and entry.previous_msgid == OLD, entry  # msgmerge's #|
    assert f'#| msgid "{OLD}"' in po_file(root, "es", "rest").read_text(encoding="utf-8")
    ok(root, "build", "--no-audio")
    return root


def review(root: Path, *parts: str) -> Path:
    return root.joinpath("output", "_review", *parts)


def coverage(root: Path, translated: dict[str, str], slug: str) -> float:
    msgids = pot_msgids(root, slug)
    return 100 * sum(words(m) for m in msgids if m in translated) / sum(words(m) for m in msgids)


def rows(page: Path) -> dict[str, dict]:
    """Each segment row of an article's review page, by its source text; ``speech`` is the
    last cell (what the voice says) when the page's locale has a voice, else None."""
    found = {}
    for tr in parse_html(page).xpath("//main//table//tr[td]"):
        cells = tr.xpath("./td")
        assert len(cells) in (4, 5), [norm(c.text_content()) for c in cells]
        source, translation, status, where = cells[:4]
        key = norm("".join(source.xpath("./text()")))
        found[key] = {"source": source, "translation": translation,
                      "status": norm(status.text_content()), "where": norm(where.text_content()),
                      "tr": tr, "speech": cells[4] if len(cells) == 5 else None}
    return found


# -- the coverage table ------------------------------------------------------------------------

def test_the_index_is_noindex_and_has_a_captioned_table(built):
    doc = parse_html(review(built, "index.html"))
    assert "noindex" in doc.xpath("//meta[@name='robots']/@content")[0]
    tables = doc.xpath("//main//table")
    assert len(tables) == 1
    table = tables[0]
    assert norm(table.xpath("./caption")[0].text_content())
    heads = table.xpath("./thead/tr/th")
    assert [h.get("scope") for h in heads] == ["col"] * 3
    assert [norm(h.text_content()) for h in heads][1:] == ["medicine", "rest"]
    body = table.xpath("./tbody/tr")
    assert len(body) == len(LOCALES)
    for tr, locale in zip(body, LOCALES):
        th = tr.xpath("./th")
        assert len(th) == 1 and th[0].get("scope") == "row"
        assert th[0].xpath(f".//*[@lang='{TAGS[locale]}']"), locale
        assert len(tr.xpath("./td")) == 2


def grid(root: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(locale tag, slug) -> (cell text, link target) of the coverage table."""
    doc = parse_html(review(root, "index.html"))
    slugs = [norm(h.text_content()) for h in doc.xpath("//thead/tr/th")][1:]
    out = {}
    for tr in doc.xpath("//tbody/tr"):
        tag = tr.xpath("./th//@lang")[0]
        for slug, td in zip(slugs, tr.xpath("./td")):
            out[(tag, slug)] = (norm(td.text_content()), (td.xpath(".//a/@href") or [""])[0])
    return out


def test_the_index_shows_the_numbers_and_links_each_review_page(built):
    cells = grid(built)
    es_medicine = coverage(built, {k: v for k, v in MEDICINE_ES.items()
                                   if k not in (UNTRANSLATED, WRONG_DOSE[0])}, "medicine")
    es_rest = coverage(built, {k: v for k, v in REST["es"].items() if k != OLD}, "rest")
    assert 80 <= es_medicine < 100 and es_rest < 80
    expected = {("es", "medicine"): f"{es_medicine:.0f}% published",
                ("es", "rest"): f"{es_rest:.0f}% not published",
                ("ar", "medicine"): "0% not published",
                ("ar", "rest"): f"{es_rest:.0f}% not published"}  # fuzzy there too
    for locale in ("zh_Hans", "ru"):
        for slug in ("medicine", "rest"):
            expected[(TAGS[locale], slug)] = "0% not published"
    assert {k: v[0] for k, v in cells.items()} == expected
    for (tag, slug), (_, href) in cells.items():
        assert href == f"{tag}/{slug}.html"
        assert (review(built) / href).is_file()
        doc = parse_html(review(built) / href)
        assert "noindex" in doc.xpath("//meta[@name='robots']/@content")[0]


def test_review_pages_are_not_linked_from_the_public_site(built):
    output = built / "output"
    public = [p for p in output.rglob("*.html") if "_review" not in p.parts]
    assert len(public) >= 5
    for page in public:
        doc = parse_html(page)
        for href in doc.xpath("//@href | //@src"):
            assert "_review" not in href, (page, href)
            if "://" not in href and not href.startswith("#"):
                target = (page.parent / urlsplit(href).path).resolve()
                assert review(built).resolve() not in target.parents, (page, href)
    sitemaps = [p for p in output.iterdir() if p.suffix in (".xml", ".txt")]
    for path in sitemaps:
        assert "_review" not in path.read_text(encoding="utf-8"), path
    assert "_review" not in (output / "manifest.json").read_text(encoding="utf-8")


# -- one article in one language ---------------------------------------------------------------

def test_side_by_side_with_status_and_the_line_to_edit(built):
    page = review(built, "es", "rest.html")
    found = rows(page)
    assert set(found) == set(pot_msgids(built, "rest"))
    po = po_file(built, "es", "rest")
    for msgid, row in found.items():
        assert row["source"].get("lang") == "en", msgid
        assert row["where"] == f"{rel_po('es', 'rest')}:{msgstr_line(po, msgid)}", row["where"]
        if msgid == NEW:
            continue
        assert row["status"] == "translated", (msgid, row["status"])
        assert norm(row["translation"].text_content()) == REST["es"][msgid]
        assert row["translation"].get("lang") == "es"


def test_a_fuzzy_entry_shows_its_previous_source_as_a_diff(built):
    row = rows(review(built, "es", "rest.html"))[NEW]
    assert row["status"].startswith("fuzzy"), row["status"]
    # the translation waiting for review is shown, in its language
    assert norm(row["translation"].text_content()) == REST["es"][OLD]
    assert row["translation"].get("lang") == "es"
    dels = [norm(d.text_content()) for d in row["source"].xpath(".//del")]
    inss = [norm(i.text_content()) for i in row["source"].xpath(".//ins")]
    assert dels == ["each"] and inss == ["every"], (dels, inss)
    # the other rows have no diff
    others = [r for k, r in rows(review(built, "es", "rest.html")).items() if k != NEW]
    assert all(not r["source"].xpath(".//del | .//ins") for r in others)


def test_untranslated_and_failing_rows_give_the_reason_and_line(built):
    page = review(built, "es", "medicine.html")
    found = rows(page)
    po = po_file(built, "es", "medicine")
    assert set(found) == set(pot_msgids(built, "medicine"))
    untranslated = found[UNTRANSLATED]
    assert untranslated["status"] == "untranslated"
    assert "none" in norm(untranslated["translation"].text_content())
    assert untranslated["where"] == f"{rel_po('es', 'medicine')}:{msgstr_line(po, UNTRANSLATED)}"
    failing = found[WRONG_DOSE[0]]
    assert failing["status"].startswith("failing: ")
    assert "numbers differ" in failing["status"] and "100" in failing["status"]
    assert norm(failing["translation"].text_content()) == WRONG_DOSE[1]
    assert failing["where"] == f"{rel_po('es', 'medicine')}:{msgstr_line(po, WRONG_DOSE[0])}"
    statuses = [r["status"].split(":")[0] for r in found.values()]
    assert statuses.count("translated") == len(found) - 2


def test_the_counts_on_an_article_page(built):
    doc = parse_html(review(built, "es", "rest.html"))
    counts = [norm(li.text_content()) for li in doc.xpath("//main//ul[@class='counts']/li")]
    assert counts == ["Translated: 4", "Fuzzy: 1", "Untranslated: 0", "Failing checks: 0"]
    doc = parse_html(review(built, "es", "medicine.html"))
    counts = [norm(li.text_content()) for li in doc.xpath("//main//ul[@class='counts']/li")]
    total = len(pot_msgids(built, "medicine"))
    assert counts == [f"Translated: {total - 2}", "Fuzzy: 0", "Untranslated: 1",
                      "Failing checks: 1"]


def test_a_right_to_left_translation_keeps_its_direction(built):
    found = rows(review(built, "ar", "rest.html"))
    assert [r["status"].split(":")[0] for r in found.values()].count("translated") == 4
    for msgid, row in found.items():
        assert row["translation"].get("lang") == "ar"
        assert row["translation"].get("dir") == "rtl"
        assert norm(row["translation"].text_content()) in REST["ar"].values()


def test_a_withheld_article_still_has_its_review_page(built):
    assert not (built / "output" / "es" / "rest.html").exists()
    text = norm(parse_html(review(built, "es", "rest.html")).xpath("//main")[0].text_content())
    assert "not published" in text
    assert rel_po("es", "rest") in text


def test_the_build_reports_no_errors_for_this_project(built, tmp_path):
    root = tmp_path / "again"
    shutil.copytree(built, root)
    out = ok(root, "build", "--no-audio", "--force")
    assert not [i for i in issues(out) if i["severity"] == "error"], out


# -- what the voice says (issue 14) ------------------------------------------------------------
# A third article, "dose", has doses with units and an acronym. The Spanish catalog translates
# the first paragraph, gives the second a msgstr full of characters that mean something in HTML
# (published: none of them is a tag), and leaves the third, read in English, untranslated.

DOSE_MD = """---
title: Your Dose
---

Take 10 mg/day through an IV.

Keep the dose under 20 mg/day and check it.

Stop the IV if your arm hurts.

Rest after each dose.
"""
DOSE, UNDER, STOP, PLAIN = ("Take 10 mg/day through an IV.",
                            "Keep the dose under 20 mg/day and check it.",
                            "Stop the IV if your arm hurts.", "Rest after each dose.")
DOSE_ES = {"Your Dose": "Su dosis", DOSE: "Tome 10 mg/día por vía IV.",
           UNDER: 'Mantenga la dosis < 20 mg/día & "revísela" > hoy.',
           PLAIN: "Descanse después de cada dosis."}
SPEECH_PO = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: es\\n"'
             '\n\nmsgctxt "acronym"\nmsgid "IV"\nmsgstr "{said}"\n')


@pytest.fixture(scope="module")
def voiced(tmp_path_factory, quality_base: Path) -> Path:
    root = tmp_path_factory.mktemp("review-speech") / "quality"
    shutil.copytree(quality_base, root)
    (root / "source" / "dose.md").write_text(DOSE_MD, encoding="utf-8")
    ok(root, "extract")
    ok(root, "update")
    fill(po_file(root, "es", "dose"), DOSE_ES)
    ok(root, "build", "--no-audio")
    return root


def marks(cell, form: str) -> list[tuple[str, str]]:
    """(text, title) of each <mark> in the written or spoken form of a speech cell."""
    return [(norm(m.text_content()), m.get("title"))
            for m in cell.xpath(f"./p[@class='{form}']//mark")]


def test_the_spoken_form_is_shown_with_the_changed_tokens_marked(voiced):
    page = review(voiced, "es", "dose.html")
    doc = parse_html(page)
    assert [norm(h.text_content()) for h in doc.xpath("//main//thead//th")][-1] == "Spoken"
    cell = rows(page)[DOSE]["speech"]
    written, spoken = marks(cell, "written"), marks(cell, "spoken")
    assert [w for w, _ in written] == ["10 mg/día", "IV"], written
    assert [t for _, t in written] == [t for _, t in spoken] == ["rule: unit", "rule: acronym"]
    assert "miligramos" in spoken[0][0] and "día" in spoken[0][0], spoken
    assert spoken[1][0] and spoken[1][0] != "IV", spoken
    said = norm(cell.xpath("./p[@class='spoken']")[0].text_content())
    assert said.startswith("Spoken: Tome 10 miligramos") and "(unit)" in said, said
    # the rule is shown (and read out) after each replacement
    shown = cell.xpath("./p[@class='spoken']//small[@class='rule']")
    assert [norm(h.text_content()) for h in shown] == ["(unit)", "(acronym)"]
    assert {s.get("lang") for s in cell.xpath("./p/span[@lang]")} == {"es"}


def test_a_fallback_segment_is_read_with_the_source_languages_lexicon(voiced):
    found = rows(review(voiced, "es", "dose.html"))
    cell = found[STOP]["speech"]
    assert found[STOP]["status"] == "untranslated"
    assert marks(cell, "written") == [("IV", "rule: acronym")]
    assert marks(cell, "spoken") == [("I V", "rule: acronym")]  # English: spelled out
    assert {s.get("lang") for s in cell.xpath("./p/span[@lang]")} == {"en"}
    assert "shown in English" in norm(cell.text_content())


def test_unchanged_and_unread_segments_are_shown_compactly(voiced):
    found = rows(review(voiced, "es", "dose.html"))
    assert norm(found[PLAIN]["speech"].text_content()) == "Same as written"
    assert not found[PLAIN]["speech"].xpath(".//mark")
    assert norm(found["Your Dose"]["speech"].text_content()) == "(not in the audio)"


def test_the_page_says_where_spoken_forms_are_changed(voiced):
    doc = parse_html(review(voiced, "es", "dose.html"))
    note = norm(doc.xpath("//main//*[@class='speech-note']")[0].text_content())
    assert "locales/es/speech.po" in note and "locales/en/speech.po" in note, note
    doc = parse_html(review(voiced, "ar", "dose.html"))
    note = norm(doc.xpath("//main//*[@class='speech-note']")[0].text_content())
    assert "locales/ar/speech.po" in note, note


def test_html_in_a_published_msgstr_stays_text_in_the_spoken_column(voiced):
    page = review(voiced, "es", "dose.html")
    row = rows(page)[UNDER]
    assert row["status"] == "translated", row["status"]
    cell = row["speech"]
    assert {e.tag for e in cell.iter()} <= {"td", "p", "span", "mark", "small"}
    written = norm(cell.xpath("./p[@class='written']/span[@lang]")[0].text_content())
    assert written == DOSE_ES[UNDER]
    spoken = norm(cell.xpath("./p[@class='spoken']/span[@lang]")[0].text_content())
    assert spoken.startswith("Mantenga la dosis < 20 miligramos") and \
        spoken.endswith(' & "revísela" > hoy.'), spoken
    raw = page.read_text(encoding="utf-8")
    assert "&lt; <mark" in raw and '&#34;revísela&#34; &gt; hoy' in raw


def test_a_spoken_form_with_markup_is_refused_and_its_error_shown_escaped(voiced, tmp_path):
    root = tmp_path / "quality"
    shutil.copytree(voiced, root)
    speech = root / "locales" / "es" / "speech.po"
    speech.write_text(SPEECH_PO.format(said="<b onclick=alert(1)>intravenosa</b>"), "utf-8")
    run(root, "build", "--no-audio")  # the entry is an error; the review page is still made
    page = review(root, "es", "dose.html")
    doc = parse_html(page)
    assert not doc.xpath("//b | //*[@onclick]")
    problems = [norm(li.text_content()) for li in doc.xpath("//ul[@class='speech-problems']/li")]
    assert problems and all(p.startswith("locales/es/speech.po:") for p in problems), problems
    spoken = marks(rows(page)[DOSE]["speech"], "spoken")
    assert spoken[1][0] != "intravenosa" and "<" not in spoken[1][0], spoken


def test_editing_speech_po_renders_the_review_page_again(voiced, tmp_path):
    root = tmp_path / "quality"
    shutil.copytree(voiced, root)
    ar_before = review(root, "ar", "dose.html").read_bytes()
    speech = root / "locales" / "es" / "speech.po"
    speech.write_text(SPEECH_PO.format(said="intravenosa"), encoding="utf-8")
    out = ok(root, "build", "--no-audio", "--explain")
    assert "explain: review:es/dose.html: changed: speech" in out, out
    assert "review:ar/" not in out, out  # another locale's lexicon: its pages are kept
    assert review(root, "ar", "dose.html").read_bytes() == ar_before
    cell = rows(review(root, "es", "dose.html"))[DOSE]["speech"]
    assert marks(cell, "spoken")[1] == ("intravenosa", "rule: acronym")
    speech.write_text(SPEECH_PO.format(said="vía intravenosa"), encoding="utf-8")
    ok(root, "build", "--no-audio")
    cell = rows(review(root, "es", "dose.html"))[DOSE]["speech"]
    assert marks(cell, "spoken")[1] == ("vía intravenosa", "rule: acronym")


def test_a_locale_without_a_voice_has_no_spoken_column(voiced, tmp_path):
    root = tmp_path / "quality"
    shutil.copytree(voiced, root)
    toml = root / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[audio.voices]\nes = ""\n', "utf-8")
    ok(root, "build", "--no-audio")
    doc = parse_html(review(root, "es", "dose.html"))
    assert [norm(h.text_content()) for h in doc.xpath("//main//thead//th")][-1] == "Edit at"
    assert not doc.xpath("//main//*[@class='speech-note'] | //td[@class='speech']")
    assert doc.xpath("//td[@class='speech']") == []
    assert parse_html(review(root, "ar", "dose.html")).xpath("//td[@class='speech']")
