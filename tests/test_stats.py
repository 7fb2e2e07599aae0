"""``pipeline stats`` (exact counts in strings and source words, table/json/csv) and the
publishing threshold (``[build] publish_threshold``, 80% by default) on tests/projects/quality.

Word counts are computed here from the templates, not taken from the pipeline.
"""
from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from catalog_helpers import issues
from test_checks import (LOCALES, MEDICINE_ES, REST, TAGS, fill, mark_fuzzy, ok,  # noqa: F401
                         parse_html, po_file, pot_msgids, quality, quality_base, run,
                         set_toml, words)

FIELDS = ["locale", "article", "strings", "translated", "fuzzy", "untranslated", "failing",
          "words", "translated_words", "fuzzy_words", "untranslated_words", "failing_words",
          "percent"]
REST_WORDS = 17  # Rest Well (2), Sleep eight hours each night. (5), Tips (1),
#                  Keep the room dark (4), Avoid strong coffee after noon (5)


def rest_es_mixed(root: Path) -> None:
    """es/rest: 2 translated (3 words), 1 fuzzy (5), 1 failing (4), 1 untranslated (5)."""
    po = po_file(root, "es", "rest")
    fill(po, {"Rest Well": "Descanse bien",
              "Sleep eight hours each night.": "Duerma ocho horas cada noche.",
              "Tips": "Consejos",
              "Keep the room dark": "Mantenga 2 habitaciones oscuras"})  # a number too many
    mark_fuzzy(po, "Sleep eight hours each night.")


@pytest.fixture
def counted(quality: Path) -> Path:
    rest_es_mixed(quality)
    fill(po_file(quality, "ar", "rest"), REST["ar"])
    return quality


def stats_json(root: Path, *args: str) -> list[dict]:
    code, out, err = run(root, "stats", "--format", "json", *args)
    assert code == 0, out + err
    body, _, summary = out.rpartition("\n]\n")
    return json.loads(body + "\n]")


def by_key(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["locale"], r["article"]): r for r in rows}


def test_the_sample_word_counts_are_what_this_test_assumes(quality_base):
    assert sum(words(m) for m in pot_msgids(quality_base, "rest")) == REST_WORDS
    assert len(pot_msgids(quality_base, "rest")) == 5


def test_stats_json_counts_strings_and_words_exactly(counted):
    rows = stats_json(counted)
    table = by_key(rows)
    assert list(table) == [(loc, slug) for loc in LOCALES for slug in ("medicine", "rest")]
    assert all(list(r) == FIELDS for r in rows)
    assert table[("es", "rest")] == {
        "locale": "es", "article": "rest", "strings": 5,
        "translated": 2, "fuzzy": 1, "untranslated": 1, "failing": 1,
        "words": 17, "translated_words": 3, "fuzzy_words": 5, "untranslated_words": 5,
        "failing_words": 4, "percent": 17.6}
    assert table[("ar", "rest")] == {
        "locale": "ar", "article": "rest", "strings": 5,
        "translated": 5, "fuzzy": 0, "untranslated": 0, "failing": 0,
        "words": 17, "translated_words": 17, "fuzzy_words": 0, "untranslated_words": 0,
        "failing_words": 0, "percent": 100.0}
    medicine = pot_msgids(counted, "medicine")
    medicine_words = sum(words(m) for m in medicine)
    for locale in LOCALES:
        assert table[(locale, "medicine")] == {
            "locale": locale, "article": "medicine", "strings": len(medicine),
            "translated": 0, "fuzzy": 0, "untranslated": len(medicine), "failing": 0,
            "words": medicine_words, "translated_words": 0, "fuzzy_words": 0,
            "untranslated_words": medicine_words, "failing_words": 0, "percent": 0.0}
    for locale in ("zh_Hans", "ru"):
        assert table[(locale, "rest")]["untranslated"] == 5
        assert table[(locale, "rest")]["untranslated_words"] == 17
        assert table[(locale, "rest")]["percent"] == 0.0


def test_stats_summary_line_gives_the_overall_share(counted):
    medicine_words = sum(words(m) for m in pot_msgids(counted, "medicine"))
    code, out, err = run(counted, "stats", "--format", "json")
    assert code == 0, err
    share = 100 * (3 + 17) / (4 * (medicine_words + REST_WORDS))
    assert out.splitlines()[-1] == (f"stats: 4 locale(s), 8 catalog(s), {share:.0f}% of source "
                                    "words translated; 0 error(s), 0 warning(s)")


def test_stats_csv_has_a_header_and_the_same_numbers(counted):
    code, out, err = run(counted, "stats", "--format", "csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1].startswith("stats: ")
    reader = list(csv.reader(io.StringIO("\n".join(lines[:-1]) + "\n")))
    assert reader[0] == FIELDS
    table = {(r[0], r[1]): r for r in reader[1:]}
    assert len(reader) == 1 + 8
    assert table[("es", "rest")] == ["es", "rest", "5", "2", "1", "1", "1",
                                     "17", "3", "5", "5", "4", "17.6"]
    assert table[("ar", "rest")][2:] == ["5", "5", "0", "0", "0", "17", "17", "0", "0", "0",
                                         "100.0"]


def test_stats_table_shows_each_locale_and_article(counted):
    code, out, err = run(counted, "stats")  # table is the default
    assert code == 0, err
    rows = {tuple(line.split()[:2]): line.split() for line in out.splitlines()[1:-1]}
    assert set(rows) == {(loc, slug) for loc in LOCALES for slug in ("medicine", "rest")}
    es = rows[("es", "rest")]
    # translated x/strings, fuzzy, untranslated, failing, translated/total words, words %
    assert es[2:] == ["2/5", "1", "1", "1", "3/17", "17.6%"], out
    assert rows[("ar", "rest")][2:] == ["5/5", "0", "0", "0", "17/17", "100.0%"], out
    code2, out2, _ = run(counted, "stats", "--format", "table")
    assert (code2, out2) == (code, out)


def test_stats_for_one_locale(counted):
    rows = stats_json(counted, "-l", "es")
    assert [(r["locale"], r["article"]) for r in rows] == [("es", "medicine"), ("es", "rest")]


def test_failing_means_an_error_severity_check(counted):
    set_toml(counted, '[checks]\nnumbers = "warning"')
    row = by_key(stats_json(counted))[("es", "rest")]
    assert (row["translated"], row["failing"], row["translated_words"], row["failing_words"],
            row["percent"]) == (3, 0, 7, 0, 41.2)


def test_stats_with_an_unknown_format_is_a_usage_error(counted):
    code, _, err = run(counted, "stats", "--format", "xml")
    assert code == 2, err


# -- publishing threshold ----------------------------------------------------------------------

def hrefs(page: Path) -> list[str]:
    return parse_html(page).xpath("//a/@href | //link/@href")


def public_pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "_review" not in p.parts)


def links_to(output: Path, target: Path) -> list[str]:
    """Public pages with a link or alternate pointing at ``target``."""
    found = []
    for page in public_pages(output):
        for href in hrefs(page):
            if "://" in href or href.startswith(("#", "mailto:")):
                continue
            if (page.parent / urlsplit(href).path).resolve() == target.resolve():
                found.append(f"{page.relative_to(output)} -> {href}")
    return found


def nearly_translated_rest(root: Path) -> None:
    """es/rest: all but the last item (5 of 17 words missing: 70.6%); es/medicine complete;
    ar/rest complete."""
    es = dict(REST["es"])
    del es["Avoid strong coffee after noon"]
    fill(po_file(root, "es", "rest"), es)
    fill(po_file(root, "es", "medicine"), MEDICINE_ES)
    fill(po_file(root, "ar", "rest"), REST["ar"])


def test_an_article_below_the_default_threshold_is_not_published(quality):
    settings = tomllib.loads((quality / "pipeline.toml").read_text(encoding="utf-8"))
    assert "publish_threshold" not in settings.get("build", {})
    nearly_translated_rest(quality)
    code, out, err = run(quality, "build", "--no-audio")
    assert code == 0, out + err
    output = quality / "output"
    withheld = output / "es" / "rest.html"
    assert not withheld.exists()
    assert (output / "es" / "medicine.html").is_file()
    assert (output / "ar" / "rest.html").is_file()
    assert (output / "en" / "rest.html").is_file()
    # not in the Spanish index, not in any language switcher or alternate link
    assert links_to(output, withheld) == []
    es_index = parse_html(output / "es" / "index.html")
    assert es_index.xpath("//main//a/@href")[:1] == ["medicine.html"]
    assert "rest.html" not in es_index.xpath("//main//a/@href")
    for page in (output / "en" / "rest.html", output / "ar" / "rest.html"):
        doc = parse_html(page)
        assert "es" not in doc.xpath("//@hreflang"), page
        assert "ar" in doc.xpath("//@hreflang") and "en" in doc.xpath("//@hreflang"), page
    assert "es" in parse_html(output / "en" / "medicine.html").xpath("//@hreflang")
    # the summary says why, with the share computed from the source words
    share = 100 * 12 / REST_WORDS
    assert f"not published: rest [es]: {share:.0f}% translated, below the 80% threshold" \
        in err.splitlines(), err
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert {"slug": "rest", "locale": "es"} in [
        {"slug": w["slug"], "locale": w["locale"]} for w in manifest["withheld"]]
    assert ("es", "rest") not in {(p["locale"], p["slug"]) for p in manifest["pages"]}
    # stats agree on the share
    row = by_key(stats_json(quality))[("es", "rest")]
    assert row["percent"] == round(share, 1)


def test_a_configured_threshold_below_the_share_publishes_it(quality):
    set_toml(quality, "[build]\npublish_threshold = 70")
    nearly_translated_rest(quality)
    ok(quality, "build", "--no-audio")
    output = quality / "output"
    assert (output / "es" / "rest.html").is_file()
    assert "es" in parse_html(output / "en" / "rest.html").xpath("//@hreflang")
    assert "rest.html" in parse_html(output / "es" / "index.html").xpath("//main//a/@href")


def test_an_article_that_falls_below_the_threshold_is_withdrawn(quality):
    set_toml(quality, "[build]\npublish_threshold = 70")
    nearly_translated_rest(quality)
    ok(quality, "build", "--no-audio")
    assert (quality / "output" / "es" / "rest.html").is_file()
    toml = quality / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("= 70", "= 75"), encoding="utf-8")
    code, out, err = run(quality, "build", "--no-audio")
    assert code == 0, out + err
    assert not (quality / "output" / "es" / "rest.html").exists()
    assert links_to(quality / "output", quality / "output" / "es" / "rest.html") == []
    assert "not published: rest [es]: 71% translated, below the 75% threshold" in err


def test_the_source_language_is_always_published(quality):
    set_toml(quality, "[build]\npublish_threshold = 100")
    fill(po_file(quality, "es", "rest"), {"Rest Well": "Descanse bien"})
    code, out, err = run(quality, "build", "--no-audio")
    assert code == 0, out + err
    output = quality / "output"
    assert (output / "en" / "rest.html").is_file() and (output / "en" / "medicine.html").is_file()
    assert sorted(parse_html(output / "en" / "index.html").xpath("//main//a/@href")) == [
        "../index.html", "medicine.html", "rest.html"]
    for locale in LOCALES:
        assert not (output / TAGS[locale]).exists(), locale
        for slug in ("medicine", "rest"):
            share = 100 * 2 / REST_WORDS if (locale, slug) == ("es", "rest") else 0
            assert (f"not published: {slug} [{locale}]: {share:.0f}% translated, below the "
                    "100% threshold") in err.splitlines(), err
    assert not [i for i in issues(err) if i["severity"] == "error"], err
