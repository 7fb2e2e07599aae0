"""What was built from what: fingerprints of every output's inputs, kept between builds.

The state is a cache, never a source of truth: it is written atomically at the end of a build,
and a missing, corrupt or foreign state file simply means everything is rebuilt. An output is
skipped only when its recorded fingerprint matches AND the file is still there.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.fsutil import write_bytes_atomic

STATE_VERSION = 1


def fingerprint(*parts: object) -> str:
    """A stable hash of strings, bytes, numbers and nested tuples/lists/dicts of them."""
    digest = hashlib.blake2b(digest_size=16)

    def feed(value: object) -> None:
        if isinstance(value, bytes):
            digest.update(b"b%d:" % len(value) + value)
        elif isinstance(value, str):
            data = value.encode("utf-8")
            digest.update(b"s%d:" % len(data) + data)
        elif isinstance(value, (int, float, bool)) or value is None:
            feed(repr(value))
        elif isinstance(value, dict):
            digest.update(b"d")
            for key in sorted(value):
                feed(key)
                feed(value[key])
        elif isinstance(value, (list, tuple)):
            digest.update(b"l%d:" % len(value))
            for item in value:
                feed(item)
        else:
            feed(repr(value))

    for part in parts:
        feed(part)
    return digest.hexdigest()


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
    """output key -> fingerprint of the inputs it was last built from, plus cached values."""

    path: Path
    outputs: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    dirty: bool = True  # a loaded state is clean until something is recorded

    @classmethod
    def load(cls, path: Path) -> "BuildState":
        try:
            with path.open("rb") as handle:
                data = pickle.load(handle)
            if data.get("version") != (STATE_VERSION, __version__):
                raise ValueError("state from another version")
            return cls(path, dict(data["outputs"]), dict(data["values"]), dirty=False)
        except Exception:  # missing, truncated, corrupt or foreign: rebuild everything
            return cls(path)

    def fresh(self, key: str, print_: str, output: Path | None = None) -> bool:
        if self.outputs.get(key) != print_:
            return False
        return output is None or output.exists()

    def record(self, key: str, print_: str, value: Any = None) -> None:
        self.outputs[key] = print_
        if value is not None:
            self.values[key] = value
        self.dirty = True

    def save(self) -> bool:
        if not self.dirty:
            return False
        data = {"version": (STATE_VERSION, __version__), "outputs": self.outputs,
                "values": self.values}
        return write_bytes_atomic(self.path, pickle.dumps(data, protocol=5))


def explain(key: str, old: str | None, new: str) -> str:
    if old is None:
        return f"{key}: new (never built)"
    return f"{key}: inputs changed ({old[:8]} -> {new[:8]})"


def dump_json(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)
