"""Publishing never goes backwards silently: a broken catalog keeps the last good pages of its
locale (marked stale), and `build -l LL` leaves the other locales, the manifest and the chooser
as they were. In-process builds with the fake speaker (test_incremental's helpers)."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from pipeline.build import BuildOptions, build
from pipeline.config import load_config
from pipeline.report import Reporter
from pipeline.tts.fake import FakeEngine
from test_incremental import PROJECT, root  # noqa: F401  (the site project, copied)


def build_it(root: Path, **options) -> tuple[Reporter, str, str]:
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    summary = build(load_config(root), reporter, BuildOptions(engine_factory=FakeEngine,
                                                              jobs=1, **options))
    return reporter, summary, log.getvalue()


def files(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def break_catalog(root: Path, locale: str = "es") -> Path:
    """A duplicate msgid: msgfmt rejects the file, as a translator's bad merge would make."""
    po = root / "locales" / locale / "LC_MESSAGES" / "hydration.po"
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "Staying Hydrated"\nmsgstr "x"\n',
                  encoding="utf-8")
    return po


def test_a_broken_catalog_keeps_the_last_good_pages_marked_stale(root):
    reporter, _, log = build_it(root)
    assert reporter.errors == 0, log
    before = files(root)
    break_catalog(root)
    reporter, summary, log = build_it(root)
    assert reporter.errors >= 1  # the catalog's error is reported (exit 1)
    assert "locales/es/LC_MESSAGES/hydration.po:" in log and "[po-syntax]" in log
    after = files(root)
    es = [p for p in before if p.startswith("es/")]
    assert es and all(after.get(p) == before[p] for p in es)  # pages and audio as they were
    manifest = json.loads(after["manifest.json"])
    assert {"locale": "es", "slug": "hydration",
            "reason": "its catalog has an error; the last good page is kept"} in \
        manifest["stale"]
    assert any(p["locale"] == "es" for p in manifest["pages"])
    assert not [w for w in manifest["withheld"] if w["locale"] == "es"]
    assert "es 100% (1 stale: catalog error, last good page kept)" in summary
    assert "stale: hydration [es]" in log
    review = after["_review/es/hydration.html"].decode()
    assert "Stale:" in review and "last good page is kept" in review
    assert ">stale<" in after["_review/index.html"].decode()
    # Once the catalog is fixed, the page is built from it again and nothing is stale.
    shutil.copy(PROJECT / "locales" / "es" / "LC_MESSAGES" / "hydration.po",
                root / "locales" / "es" / "LC_MESSAGES" / "hydration.po")
    reporter, summary, log = build_it(root)
    assert reporter.errors == 0, log
    assert json.loads(files(root)["manifest.json"])["stale"] == []
    assert files(root) == before


def test_a_broken_catalog_on_a_first_build_publishes_nothing_for_it(root):
    break_catalog(root)
    reporter, summary, log = build_it(root)
    assert reporter.errors >= 1
    assert not (root / "output" / "es" / "hydration.html").exists()
    assert json.loads(files(root)["manifest.json"])["stale"] == []


@pytest.mark.parametrize("options", [{"locales": ("es",)}, {"locales": ("ar",)}])
def test_a_build_of_one_locale_leaves_the_others_manifest_and_chooser_as_they_were(root,
                                                                                   options):
    reporter, _, log = build_it(root)
    assert reporter.errors == 0, log
    before = files(root)
    reporter, _, log = build_it(root, **options)
    assert reporter.errors == 0, log
    assert files(root) == before  # nothing changed, nothing lost, nothing unlisted
    # A change in the chosen locale is built; the others stay.
    po = root / "locales" / "es" / "LC_MESSAGES" / "hydration.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "Mantenerse hidratado"' in text
    po.write_text(text.replace('msgstr "Mantenerse hidratado"', 'msgstr "Manténgase hidratado"'),
                  encoding="utf-8")
    reporter, _, log = build_it(root, locales=("es",))
    after = files(root)
    assert "Manténgase hidratado" in after["es/hydration.html"].decode()
    assert {p for p in after} == {p for p in before}
    manifest = json.loads(after["manifest.json"])
    assert [c["code"] for c in manifest["locales"]] == \
        [c["code"] for c in json.loads(before["manifest.json"])["locales"]]
    assert after["index.html"] == before["index.html"]
    assert all(after[p] == before[p] for p in before if p.startswith("ar/"))


@pytest.mark.parametrize("force", [False, True])
def test_a_pages_only_build_keeps_the_players_and_the_audio(root, force):
    reporter, _, log = build_it(root)
    assert reporter.errors == 0, log
    before = files(root)
    assert any(p.endswith(".mp3") for p in before)
    reporter, summary, log = build_it(root, audio=False, force=force)
    assert reporter.errors == 0, log
    assert files(root) == before  # pages keep their players; manifest lists the audio
    # An edited section has no audio yet: its player goes, the others stay, nothing spoken.
    po = root / "locales" / "es" / "LC_MESSAGES" / "hydration.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Mantenerse hidratado"', 'msgstr "Manténgase hidratado"'),
                  encoding="utf-8")
    reporter, summary, log = build_it(root, audio=False)
    assert "0 synthesized" in summary
    after = files(root)
    kept = [p for p in before if p.endswith(".mp3") and not p.startswith("es/")]
    assert kept and all(after.get(p) == before[p] for p in kept)
    listed = after["manifest.json"].decode()
    assert all(f'"{p}"' in listed for p in kept)  # still listed in the manifest
