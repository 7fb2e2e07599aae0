"""What was built from what: fingerprints of every output's inputs, kept between builds.

The state is a cache, never a source of truth: it is written atomically at the end of a build,
and a missing, corrupt or foreign state file simply means everything is rebuilt. An output is
skipped only when its recorded fingerprint matches AND the file is still there.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.fsutil import write_bytes_atomic

STATE_VERSION = 7  # bump when the shape of a recorded value changes


def fingerprint(*parts: object) -> str:
    """A stable hash of strings, bytes, numbers and nested tuples/lists/dicts of them."""
    chunks: list[bytes] = []
    for part in parts:
        _encode(part, chunks)
    return hashlib.blake2b(b"".join(chunks), digest_size=16).hexdigest()


def _encode(value: object, out: list[bytes]) -> None:
    """The bytes ``fingerprint`` hashes: each value tagged with its kind and length, so no
    two different structures give the same stream. Exact types first (a rebuild of a large
    library fingerprints millions of values); subclasses (str enums...) after."""
    kind = type(value)
    if kind is str:
        data = value.encode("utf-8")  # type: ignore[attr-defined]
        out.append(b"s%d:" % len(data))
        out.append(data)
    elif kind is tuple or kind is list:
        out.append(b"l%d:" % len(value))  # type: ignore[arg-type]
        for item in value:  # type: ignore[attr-defined]
            _encode(item, out)
    elif kind is int or kind is float or kind is bool or value is None:
        _encode(repr(value), out)
    elif isinstance(value, bytes):
        out.append(b"b%d:" % len(value))
        out.append(value)
    elif isinstance(value, str):
        _encode(str.__str__(value), out)
    elif isinstance(value, (int, float)):
        _encode(repr(value), out)
    elif isinstance(value, dict):
        out.append(b"d")
        for key in sorted(value):
            _encode(key, out)
            _encode(value[key], out)
    elif isinstance(value, (list, tuple)):
        _encode(list(value), out)
    else:
        _encode(repr(value), out)


def file_fingerprint(path: Path) -> str:
    try:
        return bytes_fingerprint(path.read_bytes())
    except OSError:
        return "missing"


def bytes_fingerprint(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def tree_fingerprint(folder: Path, pattern: str = "*") -> str:
    if not folder.is_dir():
        return "none"
    return fingerprint([(str(p.relative_to(folder)), file_fingerprint(p))
                        for p in sorted(folder.rglob(pattern)) if p.is_file()])


@dataclass
class BuildState:
    """output key -> fingerprint of the inputs it was last built from, plus cached values.

    On disk: a base file with everything, and beside it a delta with what changed since,
    so that a rebuild after one edit writes kilobytes, not the whole state again. The delta
    names the base it applies to; the base is rewritten (and the delta dropped) when the
    delta grows past 100 entries and a tenth of the state.
    """

    path: Path
    outputs: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    dirty: bool = True  # a loaded state is clean until something is recorded
    base_id: str = ""  # the base file the state was loaded from ("" when none)
    changed: set[str] = field(default_factory=set)  # keys recorded since that base

    @property
    def delta_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".delta" + self.path.suffix)

    @classmethod
    def load(cls, path: Path) -> "BuildState":
        try:
            base = _read(path)
            state = cls(path, dict(base["outputs"]), dict(base["values"]), dirty=False,
                        base_id=base["id"])
        except Exception:  # missing, truncated, corrupt or foreign: rebuild everything
            return cls(path)
        if not state.delta_path.exists():
            return state
        try:
            delta = _read(state.delta_path)
        except Exception:  # the base alone would be out of date: rebuild everything
            return cls(path)
        if delta.get("base") == state.base_id:  # not a delta left from an older base
            state.outputs.update(delta["outputs"])
            state.values.update(delta["values"])
            state.changed = set(delta["outputs"])
        return state

    def fresh(self, key: str, print_: str, output: Path | None = None) -> bool:
        if self.outputs.get(key) != print_:
            return False
        return output is None or output.exists()

    def record(self, key: str, print_: str, value: Any = None) -> None:
        self.outputs[key] = print_
        if value is not None:
            self.values[key] = value
        self.changed.add(key)
        self.dirty = True

    def note(self, key: str, print_: str, value: Any) -> None:
        """``record`` for what only saves work (file stamps): kept with the next real change,
        so that a build that changed nothing still writes nothing."""
        dirty = self.dirty
        self.record(key, print_, value)
        self.dirty = dirty

    def save(self) -> bool:
        if not self.dirty:
            return False
        version = (STATE_VERSION, __version__)
        if self.base_id and len(self.changed) <= max(100, len(self.outputs) // 10):
            delta = {"version": version, "base": self.base_id,
                     "outputs": {k: self.outputs[k] for k in self.changed},
                     "values": {k: self.values[k] for k in self.changed if k in self.values}}
            return _write(self.delta_path, delta)
        self.base_id = os.urandom(8).hex()
        written = _write(self.path, {"version": version, "id": self.base_id,
                                     "outputs": self.outputs, "values": self.values})
        self.changed = set()
        try:  # a delta that outlives this (a crash right here) names the old base: ignored
            self.delta_path.unlink()
        except FileNotFoundError:
            pass
        return written


def _read(path: Path) -> dict:
    with path.open("rb") as handle, no_gc():
        data = pickle.load(handle)
        # Long-lived and acyclic (frozen dataclasses, tuples): moved out of the collector's
        # sight before it runs again, or every later collection would walk all of it.
        gc.freeze()
    if data.get("version") != (STATE_VERSION, __version__):
        raise ValueError("state from another version")
    return data


def _write(path: Path, data: dict) -> bool:
    with no_gc():
        blob = pickle.dumps(data, protocol=5)
    return write_bytes_atomic(path, blob)


@contextmanager
def no_gc():
    """Pause the cyclic garbage collector: unpickling a state of 100,000s of objects would
    trigger dozens of full collections, each walking every object made so far (2.5x the
    load time), to find no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
