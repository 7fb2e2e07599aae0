"""Review pages at output/_review/: a coverage table (noindex, not linked from the public site)
and, per article and locale, source and translation side by side with each segment's status
(translated, fuzzy with the previous source as a diff, untranslated, failing with its reason)
and the PO file and line to edit.

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
                         parse_html, po_file, pot_msgids, quality_base, rel_po,  # noqa: F401
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
    """Each segment row of an article's review page, by its source text."""
    found = {}
    for tr in parse_html(page).xpath("//main//table//tr[td]"):
        cells = tr.xpath("./td")
        assert len(cells) == 4, [norm(c.text_content()) for c in cells]
        source, translation, status, where = cells
        key = norm("".join(source.xpath("./text()")))
        found[key] = {"source": source, "translation": translation,
                      "status": norm(status.text_content()), "where": norm(where.text_content()),
                      "tr": tr}
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
