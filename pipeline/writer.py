"""The one writer that owns ``output/`` (Pelican's ``Writer``): nothing else writes there.

It writes atomically and skips unchanged bytes (fsutil), records every path of this build
(pages, review pages, assets, media, audio, and outputs the last build made that are still
current), refuses to write one path twice in a build (two jobs claiming one target is a bug,
not a race to win) or outside ``output/``, and when it closes removes what an earlier build
made and this one did not, so the site never serves a page that is no longer published.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from pipeline.fsutil import write_bytes_atomic, write_stream_atomic
from pipeline.jobs import Job
from pipeline.state import fingerprint

# What the pipeline makes: other files a team puts in output/ (a CNAME, a README) are theirs.
_OURS = (".html", ".mp3", ".json", ".css", ".js", ".vtt", ".xml", ".pdf", ".epub", ".zip")


class OutputError(RuntimeError):
    """A job asked the writer for what it must not do: a bug in the build, not in content."""


class OutputWriter:
    def __init__(self, root: Path, done=None):
        self.root = Path(root)
        self.done = done  # Incremental: the stale walk is skipped when the outputs are the same
        self._prefix = os.path.join(os.path.abspath(self.root), "")
        self._claimed: set[str] = set()  # os.path strings: a library has 13,000 audio files
        self.written = 0

    def _full(self, path: Path | str) -> str:
        full = os.path.abspath(os.path.join(self.root, path))
        if not full.startswith(self._prefix):
            raise OutputError(f"{path}: outside {self.root}")
        return full

    def _claim(self, full: str) -> None:
        if full in self._claimed:
            raise OutputError(f"{full}: written twice in one build")
        self._claimed.add(full)

    def write_bytes(self, path: Path | str, data: bytes) -> bool:
        """Write ``data`` atomically (nothing when unchanged); True when the file changed."""
        full = self._full(path)
        self._claim(full)
        changed = write_bytes_atomic(Path(full), data)
        self.written += changed
        return changed

    def write_stream(self, path: Path | str, produce: Callable[[BinaryIO], None],
                     durable: bool = True) -> None:
        """Write a large file that ``produce`` streams into (fsutil.write_stream_atomic)."""
        full = self._full(path)
        self._claim(full)
        write_stream_atomic(Path(full), produce, durable)
        self.written += 1

    def write_text(self, path: Path | str, text: str) -> bool:
        return self.write_bytes(path, text.encode("utf-8"))

    def has(self, path: Path | str) -> bool:
        """Whether this build wrote or kept ``path`` already (an image two articles share)."""
        return self._full(path) in self._claimed

    def keep(self, path: Path | str) -> None:
        """An output of this build that the last build wrote already (its job was reused)."""
        self._claim(self._full(path))

    def keep_all(self, rel_paths: Iterable[str]) -> None:
        """``keep`` for many paths relative to ``output/`` (reused audio tracks)."""
        for rel in rel_paths:
            self._claimed.add(self._prefix + rel)

    def close(self, folders: Iterable[str], keep_audio: bool = False) -> int:
        """Remove what an earlier build made under ``folders`` (relative to ``output/``) and
        this build did not; ``keep_audio``: a build that made no audio keeps the old MP3s
        and their transcripts.
        When the set of outputs is the last build's, that was done then: the walk over the
        tree (13,000 audio files in a library) is skipped. Returns how many were removed."""
        folders = sorted(folders)
        job = Job("stale-removal", "output", {
            "outputs": fingerprint(repr(sorted(self._claimed))),
            "folders": fingerprint(repr(folders)), "audio": str(keep_audio)},
            self.root, explain=False)
        if self.done is not None and self.done.fresh(job):
            return 0
        removed = sum(self._remove_stale(self._full(f), keep_audio) for f in folders)
        if self.done is not None:
            self.done.record_job(job, True)
        return removed

    def _remove_stale(self, folder: str, keep_audio: bool) -> int:
        if not os.path.isdir(folder):
            return 0
        removed = 0
        media = folder == self._prefix + "media"  # copied images: any file type
        for top, _dirs, files in os.walk(folder, topdown=False):
            for name in files:
                full = os.path.join(top, name)
                suffix = os.path.splitext(name)[1]
                if full in self._claimed or (keep_audio and suffix in (".mp3", ".vtt")):
                    continue
                if media or suffix in _OURS:
                    os.unlink(full)
                    removed += 1
            if top != folder and not os.listdir(top):
                shutil.rmtree(top, ignore_errors=True)
        return removed
