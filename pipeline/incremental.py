"""Incremental builds: each job (localize, page, audio, review page) names its inputs, and a
job whose inputs and output are unchanged since the last build is skipped.

Inputs are named parts (``source``, ``catalog``, ``templates``...), each a content hash, so
``--explain`` can say which input made a job run. The state lives in
``.pipeline-cache/state.pickle`` (see state.py: a lost or corrupt state means a full rebuild).
"""
from __future__ import annotations

import io
import json
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pipeline import __version__
from pipeline.build_lock import build_lock
from pipeline.config import CONFIG_NAME, Config
from pipeline.fsutil import write_text_atomic
from pipeline.jobs import Job
from pipeline.report import Reporter
from pipeline.state import BuildState, file_fingerprint, fingerprint, tree_fingerprint

Parts = dict[str, str]


@dataclass
class Counters:
    """What a build did; written to ``.pipeline-cache/last-build.json`` for benchmarks/tests."""

    articles_localized: int = 0
    articles_reused: int = 0
    pages_rendered: int = 0
    pages_skipped: int = 0
    sections_synthesized: int = 0
    sections_cached: int = 0
    seconds: float = 0.0


_RUNNING = "build-running"  # there while a build runs, and after one that did not finish
_STILL_NS = 2_000_000_000  # a file unchanged for 2 s is past any clock tick


@dataclass
class Incremental:
    config: Config
    reporter: Reporter
    force: bool = False
    explain: bool = False
    state_name: str = "state.pickle"
    state: BuildState = field(init=False)
    counters: Counters = field(default_factory=Counters)
    _files: dict[Path, str] = field(default_factory=dict)
    _site: str = ""
    _settings: str = ""

    def __post_init__(self) -> None:
        path = self.cache_dir / self.state_name
        self.state = BuildState(path) if self.force else BuildState.load(path)
        package = Path(__file__).resolve().parent
        # The package's own code: a checkout updated in place keeps its version number, and
        # pages cached before a new check or rule must not outlive it. Stamps make this a
        # stat per module on a rebuild. (Speech is keyed by its text and engine, not this.)
        code = fingerprint(*(self.file(p) for p in sorted(package.rglob("*.py"))))
        self._settings = fingerprint(__version__, code,
                                     self.file(self.config.root / CONFIG_NAME))
        # Everything every page depends on: templates (package and project), CSS, settings.
        self._site = fingerprint(__version__, code, tree_fingerprint(package / "templates"),
                                 tree_fingerprint(package / "assets"),
                                 tree_fingerprint(self.config.root / "templates"),
                                 self.file(self.config.root / CONFIG_NAME))

    @property
    def cache_dir(self) -> Path:
        return self.config.root / ".pipeline-cache"

    @property
    def site(self) -> str:
        """Templates, CSS, settings and version: what every page depends on."""
        return self._site

    @property
    def settings(self) -> str:
        """Settings and version: what localization and speech depend on."""
        return self._settings

    def file(self, path: Path) -> str:
        """A file's content hash, computed once per build.

        A file whose size, times and inode are those recorded when it was last hashed is not
        read again (a rebuild of a large library would read every catalog). As in git's
        index, a stamp is recorded only for a file that had been still for a while when it
        was hashed, so a write in the same clock tick cannot go unseen; and the change time,
        which no tool can set back, catches a copy that keeps the old modification time.
        """
        if path in self._files:
            return self._files[path]
        try:
            info = path.stat()
        except OSError:
            self._files[path] = "missing"
            return "missing"
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        key = f"stat:{path}"
        known = self.state.values.get(key)
        if known is not None and known[0] == stamp:
            digest = known[1]
        else:
            digest = file_fingerprint(path)
            if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > _STILL_NS:
                self.state.note(key, digest, (stamp, digest))
        self._files[path] = digest
        return digest

    def reuse(self, key: str, parts: Parts, output: Path | None = None,
              explain: bool = True) -> Any:
        """The value recorded for ``key`` if its inputs are unchanged (and its output still
        exists); otherwise None, after saying why when ``--explain`` is on (and ``explain``:
        False for shortcuts whose finer jobs explain themselves)."""
        old = self.state.outputs.get(key)
        if old == _joined(parts) and (output is None or output.exists()):
            value = self.state.values.get(key)
            if value is not None:
                return value
        if self.explain and explain:
            self.reporter.progress(f"explain: {key}: {_why(old, parts, output)}")
        return None

    def record(self, key: str, parts: Parts, value: Any) -> None:
        self.state.record(key, _joined(parts), value)

    def fresh(self, job: Job) -> Any:
        """The value recorded for ``job`` when its inputs and target are unchanged, else None
        (after saying why, with ``--explain``)."""
        missing = next((path for path in job.also if not path.exists()), None)
        return self.reuse(job.key, dict(job.inputs), missing or job.target, job.explain)

    def record_job(self, job: Job, value: Any) -> None:
        self.record(job.key, dict(job.inputs), value)

    def run(self, job: Job, work: Callable[[Reporter], Any], reporter: Reporter) -> Any:
        """``work(collecting_reporter)``'s value, or the last build's when the job's inputs
        are unchanged; either way its warnings reach ``reporter`` (replayed when reused).
        Errors are not kept: a job that reported one runs again next time."""
        kept = self.fresh(job)
        if kept is None:
            collect = Reporter(stream=io.StringIO(), quiet=True)
            kept = (work(collect), tuple(collect.issues))
            if not collect.errors:
                self.record_job(job, kept)
        for issue in kept[1]:
            reporter.add(issue)
        return kept[0]

    def forget(self, path: Path) -> None:
        """Hash ``path`` again next time (it was just rewritten)."""
        self._files.pop(path, None)

    def finish(self, started: float | None = None) -> None:
        self.state.save()
        if started is None:
            return
        self.counters.seconds = round(time.monotonic() - started, 3)
        write_text_atomic(self.cache_dir / "last-build.json",
                          json.dumps(asdict(self.counters), indent=2) + "\n")


@contextmanager
def one_build_at_a_time(config: Config, reporter: Reporter) -> Iterator[bool]:
    """Hold the project's build lock; yields True when the last build did not finish
    (killed, crashed: what it left half-written, temp files, must be looked for).

    Two builds at once could each write some pages and the last to save its state would
    vouch for pages the other wrote from other inputs; the second build waits instead. The
    marker beside the lock stays when a build does not finish."""
    folder = config.root / ".pipeline-cache"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / _RUNNING
    with build_lock(folder / "build.lock", reporter):
        unfinished = marker.exists()
        marker.write_bytes(b"")
        yield unfinished
        marker.unlink(missing_ok=True)  # not reached when the build raised


def _joined(parts: Parts) -> str:
    return json.dumps(parts, sort_keys=True)


def _why(old: str | None, parts: Parts, output: Path | None) -> str:
    if old is None:
        return "new (not built before, or --force)"
    try:
        before = json.loads(old)
    except ValueError:
        before = {}
    changed = sorted(k for k in set(before) | set(parts) if before.get(k) != parts.get(k))
    if changed:
        return "changed: " + ", ".join(changed)
    if output is not None and not output.exists():
        return f"output {output.name} is missing"
    return "no cached result"
