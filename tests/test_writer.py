"""The one writer of output/ (pipeline/writer.py) and the job record (pipeline/jobs.py)."""
from __future__ import annotations

import pytest

from pipeline.jobs import KINDS, Job
from pipeline.writer import OutputError, OutputWriter


def test_writes_atomically_skips_unchanged_bytes_and_refuses_a_second_write(tmp_path):
    writer = OutputWriter(tmp_path / "output")
    assert writer.write_text("es/a.html", "<p>a</p>")
    page = tmp_path / "output" / "es" / "a.html"
    stamp = page.stat().st_mtime_ns
    with pytest.raises(OutputError, match="written twice"):
        writer.write_text("es/a.html", "<p>b</p>")
    assert page.read_text() == "<p>a</p>"
    again = OutputWriter(tmp_path / "output")  # the next build: same bytes, no write
    assert not again.write_text("es/a.html", "<p>a</p>")
    assert page.stat().st_mtime_ns == stamp
    with pytest.raises(OutputError, match="twice"):
        again.keep("es/a.html")


@pytest.mark.parametrize("path", ["../pipeline.toml", "/etc/passwd", "es/../../x.html"])
def test_refuses_paths_outside_output(tmp_path, path):
    with pytest.raises(OutputError, match="outside"):
        OutputWriter(tmp_path / "output").write_text(path, "x")
    assert not (tmp_path / "pipeline.toml").exists()


def test_close_removes_what_this_build_did_not_produce(tmp_path):
    out = tmp_path / "output"
    first = OutputWriter(out)
    for path in ("es/a.html", "es/b.html", "es/audio/a/s.mp3", "media/old.png",
                 "media/kept.png", "_review/es/b.html", "es/CNAME"):
        first.write_bytes(path, b"x")
    second = OutputWriter(out)
    second.keep("es/a.html")
    second.keep_all(["es/audio/a/s.mp3"])
    second.write_bytes("media/kept.png", b"y")
    removed = second.close(["es", "media", "_review"])
    left = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    # Stale pages, images (any type) and review pages go; a team's own file stays.
    assert left == ["es/CNAME", "es/a.html", "es/audio/a/s.mp3", "media/kept.png"]
    assert removed == 3
    assert not (out / "_review" / "es").exists()  # emptied folders go too


def test_a_build_without_audio_keeps_the_old_audio(tmp_path):
    out = tmp_path / "output"
    OutputWriter(out).write_bytes("es/audio/a/s.mp3", b"x")
    OutputWriter(out).close(["es"], keep_audio=True)
    assert (out / "es" / "audio" / "a" / "s.mp3").exists()


def test_a_job_has_a_known_kind_and_its_key():
    job = Job("page", "es/a.html", {"article": "1"})
    assert job.key == "page:es/a.html" and "page" in KINDS
    with pytest.raises(ValueError, match="unknown job kind"):
        Job("pages", "x", {})
