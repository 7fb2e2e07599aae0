"""Incremental builds: each rule proved by counting the jobs a rebuild ran (fake speaker)."""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import polib
import pytest

from pipeline.build import BuildOptions, build
from pipeline.config import load_config
from pipeline.report import Reporter
from pipeline.tts.fake import FakeEngine

PROJECT = Path(__file__).parent / "projects" / "site"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(PROJECT, target)
    return target


def run(root: Path, **options) -> dict:
    """Build in-process with the fake engine; return the counters of that build."""
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    summary = build(load_config(root), reporter, BuildOptions(
        engine_factory=FakeEngine, jobs=1, **options))
    assert reporter.errors == 0, log.getvalue()
    counters = json.loads((root / ".pipeline-cache" / "last-build.json").read_text())
    counters["summary"] = summary
    counters["log"] = log.getvalue()
    return counters


def page_text(path: Path) -> str:
    """A page's HTML without the sentence spans (text/audio sync) inside its text."""
    return re.sub(r"</?span( class=\"s\"[^>]*)?>", "", path.read_text(encoding="utf-8"))


def snapshot(root: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*") if p.is_file()}


def set_msgstr(po_path: Path, msgid_start: str, msgstr: str) -> None:
    po = polib.pofile(str(po_path), wrapwidth=79)
    entry = next(e for e in po if e.msgid.startswith(msgid_start))
    entry.msgstr = msgstr
    po.save()


def assert_same_as_a_clean_build(root: Path) -> None:
    """Every output file is byte for byte what a build of a fresh copy makes."""
    clean = root.parent / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("output", ".pipeline-cache"))
    run(clean)
    for path in (clean / "output").rglob("*"):
        if path.is_file():
            mine = root / "output" / path.relative_to(clean / "output")
            assert mine.read_bytes() == path.read_bytes(), path


def first_paragraph_msgid(root: Path) -> str:
    po = polib.pofile(str(root / "locales" / "es" / "LC_MESSAGES" / "hydration.po"))
    return next(e.msgid for e in po if "introduction" in e.comment and e.msgstr)


def test_first_build_does_everything(root):
    first = run(root)
    assert first["pages_rendered"] == 3 and first["pages_skipped"] == 0
    assert first["sections_synthesized"] > 0
    assert first["articles_localized"] == 3


def test_noop_build_writes_nothing_and_synthesizes_nothing(root):
    run(root)
    before = snapshot(root)
    state = (root / ".pipeline-cache" / "state.pickle").stat().st_mtime_ns
    again = run(root)
    assert again["pages_rendered"] == 0 and again["pages_skipped"] == 3
    assert again["sections_synthesized"] == 0
    assert again["articles_localized"] == 0
    assert snapshot(root) == before, "a no-op build rewrote output files"
    assert (root / ".pipeline-cache" / "state.pickle").stat().st_mtime_ns == state


def test_one_msgstr_rebuilds_one_page_and_one_section(root):
    first = run(root)
    msgid = first_paragraph_msgid(root)
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", msgid,
               "Texto <em>cambiado</em>. Lea la <a1>guía</a1>.")
    again = run(root, explain=True)
    assert again["pages_rendered"] == 1
    assert again["sections_synthesized"] == 1
    assert again["articles_localized"] == 1
    assert "localize:es:hydration: changed: catalog" in again["log"]
    page = page_text(root / "output/es/hydration.html")
    assert "Texto <em>cambiado</em>" in page
    assert first["sections_synthesized"] > 1


def test_template_change_rebuilds_pages_but_no_audio(root):
    run(root)
    custom = root / "templates"
    custom.mkdir()
    base = (Path(__file__).parents[1] / "pipeline/templates/base.html").read_text()
    (custom / "base.html").write_text(base.replace("</footer>", "<p>Custom</p></footer>"))
    again = run(root)
    assert again["pages_rendered"] == 3
    assert again["sections_synthesized"] == 0
    assert "<p>Custom</p>" in (root / "output/ar/hydration.html").read_text()


def test_voice_change_resynthesizes_that_locale_only(root):
    first = run(root)
    config = root / "pipeline.toml"
    config.write_text(config.read_text() + '\n[audio.voices]\nes = "roa/es-419"\n')
    again = run(root)
    es_sections = sum(1 for p in (root / "output/es/audio/hydration").glob("*.mp3"))
    assert again["sections_synthesized"] == es_sections
    assert 0 < es_sections < first["sections_synthesized"]
    manifest = json.loads((root / "output/manifest.json").read_text())
    voices = {t["locale"]: t["voice"] for t in manifest["audio"]}
    assert voices["es"] == "roa/es-419" and voices["ar"] == "sem/ar"


def test_renaming_a_section_costs_no_synthesis(root):
    run(root)
    source = root / "source" / "hydration.md"
    text = source.read_text()
    new = text.replace("{#", "{#renamed-", 1)
    assert new != text
    source.write_text(new)
    again = run(root)
    assert again["sections_synthesized"] == 0
    assert any(p.name.startswith("renamed-") for p in (root / "output/en/audio").rglob("*.mp3"))


def test_corrupt_or_missing_state_means_a_full_correct_rebuild(root):
    run(root)
    expected = (root / "output/es/hydration.html").read_bytes()
    (root / ".pipeline-cache" / "state.pickle").write_bytes(b"\x80garbage")
    again = run(root)
    assert again["articles_localized"] == 3
    assert (root / "output/es/hydration.html").read_bytes() == expected
    (root / ".pipeline-cache" / "state.pickle").unlink()
    assert run(root)["articles_localized"] == 3


def test_deleted_output_is_rebuilt(root):
    run(root)
    (root / "output/ar/hydration.html").unlink()
    again = run(root, explain=True)
    assert again["pages_rendered"] == 1
    assert (root / "output/ar/hydration.html").exists()
    assert "missing" in again["log"]


def test_force_rebuilds_everything(root):
    first = run(root)
    again = run(root, force=True)
    assert again["pages_rendered"] == 3
    assert again["sections_synthesized"] == first["sections_synthesized"]


def test_unknown_voice_is_a_config_error_and_pages_still_build(root):
    config = root / "pipeline.toml"
    config.write_text(config.read_text() + '\n[audio.voices]\nes = "roa/xx"\n')
    log = io.StringIO()
    reporter = Reporter(stream=log)
    build(load_config(root), reporter, BuildOptions(engine_factory=FakeEngine, jobs=1))
    assert reporter.errors == 1
    line = config.read_text().splitlines().index('es = "roa/xx"') + 1
    assert f"pipeline.toml:{line}: error: audio.voices.es: unknown voice 'roa/xx'" in log.getvalue()
    assert (root / "output/es/hydration.html").exists()
    assert not list((root / "output").rglob("*.mp3"))


# -- the state on disk: a base and a small delta -------------------------------------------

def _state(tmp_path, n=200):
    from pipeline.state import BuildState

    state = BuildState(tmp_path / "state.pickle")
    for i in range(n):
        state.record(f"page:{i}", f"print-{i}", ("value", i))
    state.save()
    return BuildState


def test_a_small_change_writes_a_delta_and_leaves_the_base_alone(tmp_path):
    BuildState = _state(tmp_path)
    base = (tmp_path / "state.pickle").read_bytes()
    state = BuildState.load(tmp_path / "state.pickle")
    state.record("page:3", "print-3b", ("value", "3b"))
    state.save()
    assert (tmp_path / "state.pickle").read_bytes() == base
    assert state.delta_path.exists()
    again = BuildState.load(tmp_path / "state.pickle")
    assert again.outputs["page:3"] == "print-3b" and again.values["page:3"] == ("value", "3b")
    assert again.outputs["page:4"] == "print-4" and not again.dirty
    again.record("page:5", "print-5b", ("value", "5b"))  # the delta accumulates
    again.save()
    third = BuildState.load(tmp_path / "state.pickle")
    assert (third.outputs["page:3"], third.outputs["page:5"]) == ("print-3b", "print-5b")


def test_a_large_change_rewrites_the_base_and_drops_the_delta(tmp_path):
    BuildState = _state(tmp_path)
    state = BuildState.load(tmp_path / "state.pickle")
    state.record("page:1", "x", 1)
    state.save()
    assert state.delta_path.exists()
    old_delta = state.delta_path.read_bytes()
    state = BuildState.load(tmp_path / "state.pickle")
    for i in range(101):
        state.record(f"page:{i}", "changed", i)
    state.save()
    assert not state.delta_path.exists()
    assert BuildState.load(tmp_path / "state.pickle").outputs["page:100"] == "changed"
    # a delta left over from the old base (a crash before it was removed) is ignored
    state.delta_path.write_bytes(old_delta)
    assert BuildState.load(tmp_path / "state.pickle").outputs["page:1"] == "changed"


def test_a_corrupt_delta_means_a_full_rebuild(tmp_path):
    BuildState = _state(tmp_path)
    state = BuildState.load(tmp_path / "state.pickle")
    state.record("page:1", "x", 1)
    state.save()
    state.delta_path.write_bytes(b"\x80garbage")
    assert BuildState.load(tmp_path / "state.pickle").outputs == {}


def test_a_one_msgstr_rebuild_writes_a_delta_that_the_next_build_reads(root):
    run(root)
    base = (root / ".pipeline-cache" / "state.pickle").read_bytes()
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", first_paragraph_msgid(root),
               "Texto <em>cambiado</em>. Lea la <a1>guía</a1>.")
    assert run(root)["pages_rendered"] == 1
    assert (root / ".pipeline-cache" / "state.pickle").read_bytes() == base
    assert (root / ".pipeline-cache" / "state.delta.pickle").exists()
    again = run(root)
    assert again["pages_rendered"] == 0 and again["articles_localized"] == 0
    assert again["sections_synthesized"] == 0


def _age_all(root: Path, seconds: int = 3600) -> None:
    import os
    import time

    past = time.time() - seconds
    for path in list(root.rglob("*")):
        if path.is_file():
            os.utime(path, (past, past))


def test_files_that_kept_their_stamps_are_not_read_again(root, monkeypatch):
    """A rebuild does not re-read catalogs whose size, times and inode are unchanged; a
    same-size edit that even puts the old modification time back is still seen (the change
    time moves), and a file written just now is always read (clock ticks)."""
    import os

    import pipeline.incremental as incremental

    # Files count as still after 2 s; here at once (aging them moved their change times).
    monkeypatch.setattr(incremental, "_STILL_NS", -1)
    _age_all(root)
    run(root)  # records the stamps of everything it read
    hashed = []
    real = incremental.file_fingerprint

    def counting(path):
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(incremental, "file_fingerprint", counting)
    assert run(root)["pages_rendered"] == 0
    assert not [n for n in hashed if n.endswith((".po", ".md"))], hashed
    po = root / "locales/es/LC_MESSAGES/hydration.po"
    before = po.stat()
    text = po.read_text(encoding="utf-8")
    changed = text.replace('msgstr "Referencias"', 'msgstr "REFERENCIAS"')
    assert changed != text and len(changed.encode()) == before.st_size
    po.write_text(changed, encoding="utf-8")
    os.utime(po, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or an archive would
    again = run(root)
    assert "hydration.po" in hashed
    assert again["pages_rendered"] == 1 and again["articles_localized"] == 1


def test_a_kept_plan_without_speech_text_is_planned_again_when_audio_is_needed(root):
    """Plans are kept without their speech text; a section that must be synthesized again
    (its file and its cached audio gone) gets the text back from its page."""
    run(root)
    target = next((root / "output/es/audio/hydration").glob("*.mp3"))
    target.unlink()
    shutil.rmtree(root / ".pipeline-cache" / "audio")
    again = run(root)
    assert again["sections_synthesized"] == 1 and again["pages_rendered"] == 0
    assert target.is_file() and target.stat().st_size > 1000


def test_a_deleted_audio_file_comes_back_identical_from_the_cache(root):
    """Kept plans carry no tags; a section published again from the audio cache must get
    its page's tags all the same (the file comes back byte for byte)."""
    run(root)
    target = next((root / "output/ar/audio/hydration").glob("*.mp3"))
    original = target.read_bytes()
    target.unlink()
    again = run(root)
    assert again["sections_synthesized"] == 0
    assert target.read_bytes() == original


def test_a_lone_changed_section_is_spoken_by_the_warm_speaker_which_then_exits(root,
                                                                                monkeypatch):
    """The one section an edit changes is spoken by the process forked at the start of the
    build (not in the build's own process), and no process outlives the build."""
    import multiprocessing
    import threading

    import pipeline.stages.speech_worker as worker
    import pipeline.stages.warm_speaker as warm

    # Other tests in this worker may leave threads behind (browser drivers...); the guard
    # against forking beside other threads is for applications that embed the pipeline.
    monkeypatch.setattr(warm.threading, "active_count", lambda: 1)
    run(root)
    spoken_here = []
    real = worker.speak_job
    monkeypatch.setattr(worker, "speak_job", lambda job: spoken_here.append(job) or real(job))
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", first_paragraph_msgid(root),
               "Texto <em>nuevo</em>. Lea la <a1>guía</a1>.")
    again = run(root)
    assert again["sections_synthesized"] == 1
    assert spoken_here == []  # the fork inherited the real _speak_job and spoke it there
    assert multiprocessing.active_children() == []


class _BrokenEngine(FakeEngine):
    def __init__(self) -> None:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")


def test_a_missing_engine_in_the_warm_speaker_is_one_error_and_the_pages_build(root):
    run(root)
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", first_paragraph_msgid(root),
               "Texto <em>roto</em>. Lea la <a1>guía</a1>.")
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    build(load_config(root), reporter, BuildOptions(engine_factory=_BrokenEngine, jobs=1))
    assert reporter.errors == 1
    assert "speech engine unavailable" in log.getvalue()
    assert "libespeak-ng.so.1" in log.getvalue()
    assert (root / "output/es/hydration.html").is_file()


def test_a_changed_title_renders_that_language_index_only(root):
    run(root)
    before = snapshot(root)
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", "Staying Hydrated",
               "Mantenerse bien hidratado")
    run(root)
    changed = {p.relative_to(root / "output").as_posix() for p, t in snapshot(root).items()
               if before.get(p) != t}
    assert "es/index.html" in changed
    assert "Mantenerse bien hidratado" in (root / "output/es/index.html").read_text()
    assert not {c for c in changed if c.endswith("index.html") and c != "es/index.html"}


class _InProcessSpeaker:
    """A warm speaker without the fork, recording when the build hands over and waits."""

    def __init__(self, events: list):
        import pipeline.stages.speech_worker as worker

        worker.init(FakeEngine)
        self.events, self.used, self._job = events, False, None

    def voice_ids(self):
        import pipeline.stages.speech_worker as worker

        return worker.voice_ids()

    def start(self, job) -> None:
        self.events.append(("start", job.locale, job.slug))
        self._job = job

    def answer(self):
        import pipeline.stages.speech_worker as worker

        self.events.append(("answer",))
        return worker.speak_job(self._job)

    def close(self) -> None:
        pass


def test_pages_not_waiting_for_the_warm_speaker_render_before_the_build_waits(root,
                                                                              monkeypatch):
    """While the warm speaker speaks the changed section, the other pages render; the page
    with that section and the manifest wait for it, and get its new track."""
    import contextlib

    import pipeline.build as build_module
    import pipeline.writer as writer_module

    run(root)
    events: list = []
    speaker = _InProcessSpeaker(events)
    monkeypatch.setattr(build_module, "warm_speaker",
                        lambda *a: contextlib.nullcontext(speaker))
    real_write = writer_module.write_bytes_atomic  # the one writer of output/ (writer.py)
    monkeypatch.setattr(writer_module, "write_bytes_atomic", lambda path, data: (
        events.append(("write", path.relative_to((root / "output").resolve()).as_posix())),
        real_write(path, data))[1])
    # A template change re-renders every page; the msgstr changes one section in Spanish.
    custom = root / "templates"
    custom.mkdir()
    base = (Path(__file__).parents[1] / "pipeline/templates/base.html").read_text()
    (custom / "base.html").write_text(base.replace("</footer>", "<p>Custom</p></footer>"))
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", first_paragraph_msgid(root),
               "Texto <em>esperado</em>. Lea la <a1>guía</a1>.")
    again = run(root)
    assert again["sections_synthesized"] == 1
    assert events[0] == ("start", "es", "hydration")
    waited = events.index(("answer",))
    before = {e[1] for e in events[:waited] if e[0] == "write"}
    after = {e[1] for e in events[waited:] if e[0] == "write"}
    assert {"en/hydration.html", "ar/hydration.html"} <= before
    assert {"es/hydration.html", "manifest.json"} <= after
    assert "es/hydration.html" not in before and "manifest.json" not in before

    # ...and what it wrote is what a clean build of the same project writes.
    monkeypatch.undo()
    assert_same_as_a_clean_build(root)


def test_kept_pages_unpickle_their_sections_only_when_read(root):
    """The state keeps every page; a rebuild unpickles the sections of those it reads, and a
    page kept unread is written back without being unpickled."""
    import pickle

    from pipeline.state import BuildState

    run(root)
    state = BuildState.load(root / ".pipeline-cache" / "state.pickle")
    page, _issues = state.values["localize:es:hydration"]
    assert "sections" not in page.__dict__  # not unpickled yet
    assert page.slug == "hydration" and page.coverage > 0
    again = pickle.loads(pickle.dumps(page))
    assert "sections" not in page.__dict__ and "sections" not in again.__dict__
    assert page.sections and "sections" in page.__dict__
    assert again == page and again.segments == page.segments
    assert pickle.loads(pickle.dumps(page)) == page


def test_leftovers_of_a_killed_build_are_removed_and_a_finished_one_leaves_none(root,
                                                                               monkeypatch):
    """A build marks itself under way until it finishes: the next build looks for the temp
    files of one that was killed (SIGKILL skips every cleanup), and after one that finished it
    does not walk the output for them."""
    import pipeline.build as build_module

    walks = []
    real = build_module.remove_stale_temp_files
    monkeypatch.setattr(build_module, "remove_stale_temp_files",
                        lambda folder: walks.append(folder) or real(folder))
    run(root)
    assert len(walks) == 1  # no state: the first build looks
    marker = root / ".pipeline-cache" / "build-running"
    assert not marker.exists()
    run(root)
    assert len(walks) == 1
    # What a build killed mid-write leaves: its marker and a temp file beside a page.
    marker.write_bytes(b"")
    leftover = root / "output" / "es" / ".hydration.html.4242deadbeef7.tmp"
    leftover.write_text("<!DOCTYPE html><html><body><p>half a pa")
    run(root)
    assert len(walks) == 2 and not leftover.exists() and not marker.exists()


def test_the_review_grid_is_rendered_again_only_when_a_cell_changes(root):
    run(root)
    grid = root / "output/_review/index.html"
    before = grid.stat().st_mtime_ns
    cell = 'href="es/hydration.html">0%</a>'
    assert cell not in grid.read_text()
    run(root)
    assert grid.stat().st_mtime_ns == before
    po = polib.pofile(str(root / "locales/es/LC_MESSAGES/hydration.po"))
    for entry in po:
        entry.msgstr = ""
    po.save()
    run(root)
    assert grid.stat().st_mtime_ns != before
    assert cell in grid.read_text()


def test_a_second_build_of_the_same_project_waits_for_the_first(root):
    """Two builds at once could each write pages, and the last to save its state would vouch
    for pages the other wrote from other inputs: the second waits, and says so."""
    import fcntl
    import threading
    import time

    run(root)
    results: list = []
    with open(root / ".pipeline-cache" / "build.lock", "ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first build, still running
        second = threading.Thread(target=lambda: results.append(run(root)))
        second.start()
        time.sleep(1.0)
        assert second.is_alive() and results == []
    second.join(timeout=60)
    assert not second.is_alive()
    assert "waiting for the other build of this project" in results[0]["log"]
    assert results[0]["pages_skipped"] == 3


def test_a_section_the_warm_speaker_fails_leaves_its_page_without_it_and_is_tried_again(
        root, monkeypatch):
    import contextlib

    import pipeline.build as build_module

    run(root)

    class Failing(_InProcessSpeaker):
        def answer(self):
            self.events.append(("answer",))
            return 0.0, "the engine stopped"

    monkeypatch.setattr(build_module, "warm_speaker",
                        lambda *a: contextlib.nullcontext(Failing([])))
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", first_paragraph_msgid(root),
               "Texto <em>fallido</em>. Lea la <a1>guía</a1>.")
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    build(load_config(root), reporter, BuildOptions(engine_factory=FakeEngine, jobs=1))
    assert reporter.errors == 1 and "the engine stopped" in log.getvalue()
    assert "[audio-failed]" in log.getvalue()
    page = page_text(root / "output/es/hydration.html")
    assert "Texto <em>fallido</em>" in page
    assert "No se pudo crear parte del audio de esta página." in page
    assert "audio/hydration/introduction.mp3" not in page  # no player for that section
    assert "audio/hydration/why-water.mp3" in page  # the others keep theirs
    monkeypatch.undo()
    again = run(root)  # the real warm speaker (or the pool) speaks it now
    assert again["sections_synthesized"] == 1


def test_a_few_changed_sections_all_go_to_the_warm_speaker_one_after_the_other(root,
                                                                              monkeypatch):
    """Edits in three sections of two pages: the warm speaker gets all three at once and
    speaks them in turn while the build renders; no pool is started, and the site is what a
    clean build makes."""
    import contextlib

    import pipeline.build as build_module
    import pipeline.stages.speak as speak

    run(root)
    events: list = []

    class Queueing(_InProcessSpeaker):  # keeps every job handed over, answers in order
        def start(self, job) -> None:
            self.events.append(("start", job.locale, job.slug))
            self.queue = [*getattr(self, "queue", []), job]

        def answer(self):
            import pipeline.stages.speech_worker as worker

            self.events.append(("answer",))
            return worker.speak_job(self.queue.pop(0))

    monkeypatch.setattr(build_module, "warm_speaker",
                        lambda *a: contextlib.nullcontext(Queueing(events)))
    monkeypatch.setattr(speak, "SpeechPool", None)  # a pool would fail the build
    es = root / "locales/es/LC_MESSAGES/hydration.po"
    set_msgstr(es, "Your kidneys clear waste", "Sus riñones eliminan desechos ahora")
    set_msgstr(es, first_paragraph_msgid(root), "Texto <em>triple</em>. Lea la <a1>guía</a1>.")
    ar = polib.pofile(str(root / "locales/ar/LC_MESSAGES/hydration.po"))
    entry = next(e for e in ar if e.msgid == "Your kidneys clear waste")
    entry.msgstr = "تتخلص كليتاك من الفضلات الآن"
    ar.save()
    again = run(root)
    assert again["sections_synthesized"] == 3
    starts = [e for e in events if e[0] == "start"]
    assert len(starts) == 3 and events[:3] == starts  # all handed over before any wait
    assert {(locale, slug) for _, locale, slug in starts} == {("es", "hydration"),
                                                             ("ar", "hydration")}
    monkeypatch.undo()
    assert_same_as_a_clean_build(root)


def _msgstr_line(po_path: Path, msgid: str) -> int:
    lines = po_path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f'msgid "{msgid}"')
    return next(n for n, line in enumerate(lines[start:], start + 1) if line.startswith("msgstr"))


def test_an_over_long_msgstr_fails_its_section_alone_and_no_other_audio_is_lost(root,
                                                                              monkeypatch):
    """An 80 KB msgstr for a short source: before, its worker crashed, every section of
    every article failed, all published MP3s were deleted and the summary said "-16 from
    cache". Now that section alone has no audio (its page says so), the error points at the
    msgstr's line, and every other MP3 and its manifest entry stay."""
    import contextlib

    import pipeline.build as build_module

    run(root)
    before = {p: p.read_bytes() for p in (root / "output").glob("*/audio/*/*.mp3")}
    po = root / "locales/es/LC_MESSAGES/hydration.po"
    set_msgstr(po, "Your kidneys clear waste", "Sus riñones eliminan desechos. " * 2700)
    monkeypatch.setattr(build_module, "warm_speaker",  # the pool's path, as for many edits
                        lambda *a: contextlib.nullcontext(None))
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    summary = build(load_config(root), reporter, BuildOptions(engine_factory=FakeEngine,
                                                              jobs=2))
    [issue] = reporter.issues
    assert issue.code == "audio-failed"
    assert issue.location.path == po.relative_to(root).as_posix()
    assert issue.location.line == _msgstr_line(po, "Your kidneys clear waste")
    assert "hydration [es] section 'why-water'" in issue.message
    assert "not spoken" in issue.message
    lost = root / "output/es/audio/hydration/why-water.mp3"
    assert {p: p.read_bytes() for p in (root / "output").glob("*/audio/*/*.mp3")} == {
        p: data for p, data in before.items() if p != lost}
    page = page_text(root / "output/es/hydration.html")
    assert "audio/hydration/why-water.mp3" not in page
    assert "audio/hydration/introduction.mp3" in page
    manifest = json.loads((root / "output/manifest.json").read_text())
    listed = {a["path"] for a in manifest["audio"]}
    assert listed == {p.relative_to(root / "output").as_posix() for p in before} - {
        "es/audio/hydration/why-water.mp3"}
    kept = len(before) - 1
    assert re.search(rf"{kept} audio file\(s\) \([\d.]+ min; 0 synthesized, {kept} from cache\)",
                     summary), summary


def test_a_section_not_spoken_beside_the_warm_speakers_work_is_reported_once(root,
                                                                            monkeypatch):
    """The page with the over-long msgstr does not wait for the warm speaker (which speaks
    an Arabic edit): it renders early, with the note, and the error is said once."""
    import contextlib

    import pipeline.build as build_module

    run(root)
    monkeypatch.setattr(build_module, "warm_speaker",
                        lambda *a: contextlib.nullcontext(_InProcessSpeaker([])))
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", "Your kidneys clear waste",
               "Sus riñones eliminan desechos. " * 50)
    ar = polib.pofile(str(root / "locales/ar/LC_MESSAGES/hydration.po"))
    next(e for e in ar if e.msgid == "Your kidneys clear waste").msgstr = "تتخلص كليتاك"
    ar.save()
    log = io.StringIO()
    reporter = Reporter(stream=log, quiet=False)
    build(load_config(root), reporter, BuildOptions(engine_factory=FakeEngine, jobs=1))
    assert [i.code for i in reporter.issues] == ["audio-failed"], log.getvalue()
    page = page_text(root / "output/es/hydration.html")
    assert "No se pudo crear parte del audio de esta página." in page
    assert "audio/hydration/why-water.mp3" not in page
    assert "audio/hydration/why-water.mp3" in (root / "output/ar/hydration.html").read_text()
