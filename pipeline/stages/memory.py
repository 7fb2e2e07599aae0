"""The translation memory of one locale: every translated entry of every catalog of that
locale, and an optional ``locales/<ll>/memory.po`` or ``memory.tmx`` a team imports.

``update`` pre-fills new and changed entries from it (memory_fill.py); ``stats --analysis``
counts match bands against it (memory_analysis.py).

Similarity is rapidfuzz's ``fuzz.ratio``: the normalised Indel similarity of two strings,
``100 * (1 - (insertions + deletions) / (len(a) + len(b)))``, i.e. ``2 * LCS / (len(a) +
len(b))``, the measure difflib's ``ratio()`` approximates with its heuristic matching
(rapidfuzz computes it exactly, with a bit-parallel LCS). It is a well-kept, documented
measure, not an ad-hoc one; CAT tools' fuzzy percentages are edit similarities of the same
kind. Strings are compared as they stand (inline tags included), so a changed tag lowers the
score.

"Most recent" among conflicting translations: the unit whose file (or TMX unit) was revised
last (PO-Revision-Date, TMX changedate/creationdate), then the first file in path order
(catalogs by name, then memory.po, then memory.tmx), then the first entry in its file. No
clock is read: the same files give the same choice.
"""
from __future__ import annotations

import bisect
import datetime as dt
import pickle
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from rapidfuzz import fuzz, process

from pipeline.catalogs import Translation, decode_po, read_checked_catalog
from pipeline.fsutil import write_bytes_atomic
from pipeline.model import Location
from pipeline.report import ContentError, Reporter
from pipeline.stages.memory_po import header_field, role_of, scan_po
from pipeline.state import bytes_fingerprint, file_fingerprint, fingerprint, no_gc
from pipeline.verdict import publish_verdict

NEAR = 75.0  # the lowest similarity update offers (as fuzzy)
MEMORY_FILES = ("memory.po", "memory.tmx")
_CACHE_VERSION = 2
_REWRITE_AFTER = 20  # files read again before the cache is rewritten


@dataclass(frozen=True)
class Unit:
    """One translation in the memory; ``source`` is where it stands (``x.po:57``)."""

    msgid: str
    msgstr: str
    role: str
    source: str


@dataclass(frozen=True)
class Match:
    """What the memory offers for one entry: ``translated`` when it may be pre-filled as
    translated, else a fuzzy suggestion, with ``reason`` saying why."""

    unit: Unit
    score: float
    translated: bool
    reason: str = ""


# One cached file: (print, units as (msgid, msgstr, role, line, date), (line, message) or None)
_Cached = tuple[str, tuple[tuple[str, str, str, int, str], ...], tuple[int, str] | None]


class Memory:
    """The units of one locale by msgid, most recent first, and the msgids for near search.

    Units stay plain tuples (a locale of a large library holds tens of thousands); a
    ``Unit`` is made only for what is offered."""

    def __init__(self, files: list[tuple[str, tuple]] = (), units: dict | None = None) -> None:
        """``files``: (name, units as cached) in path order; or ``units``, a memory's
        ``units`` as made before (from the cache)."""
        self.index: NearIndex | None = None  # made when first needed, or shared (share())
        self._lock = threading.Lock()
        self.filled = {"translated": 0, "fuzzy": 0}  # what update pre-filled from it
        if units is not None:
            self.units = units
            return
        by_msgid: dict[str, list[tuple[tuple, str]]] = {}
        for name, units in files:
            for unit in units:
                found = by_msgid.get(unit[0])
                if found is None:
                    by_msgid[unit[0]] = [(unit, name)]
                else:
                    found.append((unit, name))
        for msgid, found in by_msgid.items():
            if len(found) > 1:  # stable: the same date keeps path order, then file order
                found.sort(key=lambda pair: pair[0][4], reverse=True)
                # the same translation in the same role 200 times (a "References" heading)
                # is one unit, the most recent
                kept = {}
                for unit, name in found:
                    kept.setdefault((unit[1], unit[2]), (unit, name))
                by_msgid[msgid] = list(kept.values())
        self.units = by_msgid

    def tally(self, translated: int, fuzzy: int) -> None:
        with self._lock:  # catalogs are filled in threads
            self.filled["translated"] += translated
            self.filled["fuzzy"] += fuzzy

    def __bool__(self) -> bool:
        return bool(self.units)

    def unit(self, msgid: str, index: int = 0) -> Unit:
        (_, msgstr, role, line, _), name = self.units[msgid][index]
        return Unit(msgid, msgstr, role, f"{name}:{line}")

    def exact(self, msgid: str, role: str, interface: bool = False) -> Match | None:
        units = self.units.get(msgid)
        if not units:
            return None
        translations = {u[1] for u, _ in units}
        if len(translations) > 1:
            return Match(self.unit(msgid), 100.0, False, f"{len(translations)} different "
                         "translations in the memory; this is the most recent")
        same_role = next((n for n, (u, _) in enumerate(units) if role and u[2] == role), None)
        if same_role is None:
            there = units[0][0][2] or "no recorded role"
            return Match(self.unit(msgid), 100.0, False, f"same text, {there} there")
        unit = self.unit(msgid, same_role)
        if not _publishable(msgid, unit.msgstr, interface):
            return Match(unit, 100.0, False, "its markup does not match the source")
        return Match(unit, 100.0, True)

    def nearest(self, msgid: str, cutoff: float = NEAR) -> tuple[str, float] | None:
        """The most similar other msgid in the memory with a score of at least ``cutoff``
        (rapidfuzz ``fuzz.ratio``), or None; ties go to the shorter, then the first in
        code point order."""
        if self.index is None or self.index.cutoff > cutoff:
            self.index = NearIndex(self.units, cutoff)
        for choice, score in self.index.candidates(msgid):
            if score < cutoff:
                break
            if choice in self.units:
                return choice, score
        return None

    def near(self, msgid: str) -> Match | None:
        found = self.nearest(msgid)
        if found is None:
            return None
        return Match(self.unit(found[0]), found[1], False, f"{int(found[1])}% similar")


class NearIndex:
    """Near matches of source texts among the msgids of one or more memories, each source
    text compared once. Every locale of a library translates the same source texts, so
    update and stats share one index between the locales they read: the comparisons of a
    new article's texts are made once, not once per locale."""

    def __init__(self, msgids: Iterable[str], cutoff: float) -> None:
        self.cutoff = cutoff
        # Ordered by length, then text: a search compares only the strings whose lengths
        # allow the cut-off, and ties go the same way every time.
        self._choices = sorted(set(msgids), key=lambda s: (len(s), s))
        self._lengths = [len(s) for s in self._choices]
        self._found: dict[str, list[tuple[str, float]]] = {}
        self._lock = threading.Lock()  # update fills catalogs in threads

    def candidates(self, msgid: str) -> list[tuple[str, float]]:
        """The other msgids scoring at least the cut-off, best first (ties in index order)."""
        with self._lock:
            found = self._found.get(msgid)
            if found is None:
                found = self._found[msgid] = self._search(msgid)
        return found

    def _search(self, msgid: str) -> list[tuple[str, float]]:
        size, cutoff = len(msgid), self.cutoff
        # ratio <= 200 * min(len) / (len(a) + len(b)): other lengths cannot reach the cut-off
        lo = bisect.bisect_left(self._lengths, size * cutoff / (200 - cutoff))
        hi = bisect.bisect_right(self._lengths, size * (200 - cutoff) / max(cutoff, 1))
        if hi <= lo:
            return []
        found = process.extract(msgid, self._choices[lo:hi], scorer=fuzz.ratio,
                                processor=None, score_cutoff=cutoff, limit=None)
        ranked = sorted((-score, index, choice) for choice, score, index in found
                        if choice != msgid)
        return [(choice, -score) for score, _, choice in ranked]


def share_index(memories: Iterable[Memory], cutoff: float = NEAR) -> None:
    """One near-match index for several locales' memories (see NearIndex)."""
    memories = list(memories)
    index = NearIndex((m for memory in memories for m in memory.units), cutoff)
    for memory in memories:
        memory.index = index


@lru_cache(maxsize=8192)  # the same heading, filled into each new article
def _publishable(msgid: str, msgstr: str, interface: bool) -> bool:
    """Whether the text would be published for ``msgid``: markup (inline tags), interface
    placeholders and unsafe characters, by the one publish verdict."""
    verdict = publish_verdict(msgid, Translation(msgstr, False, 0), Location(""), None,
                              interface)
    return verdict.published


def locale_print(locales_dir: Path, locale: str, prints: dict[str, str] | None = None) -> str:
    """A print of everything the locale's memory is made of: each catalog's bytes (from
    ``prints``, by file name, when the caller has them all) and the memory files'."""
    if prints is None:
        folder = locales_dir / locale / "LC_MESSAGES"
        found = sorted(folder.glob("*.po")) if folder.is_dir() else []
        prints = {p.name: file_fingerprint(p) for p in found}
    memory_files = [(name, file_fingerprint(locales_dir / locale / name))
                    for name in MEMORY_FILES]
    return fingerprint(sorted(prints.items()), memory_files)


def _sources(locales_dir: Path, locale: str,
             catalogs: Iterable[str] | None = None) -> list[tuple[str, Path]]:
    """(name in messages, path) of the memory's files, in path order: catalogs by their
    file name (``dermatomyositis.po``), memory files by theirs (``memory.po``); a catalog
    whose name is a memory file's (an article slugged "memory") by ``LC_MESSAGES/...``.
    ``catalogs``: the catalogs' file names, when the caller has listed them."""
    folder = locales_dir / locale
    if catalogs is None:
        catalogs = [p.name for p in (folder / "LC_MESSAGES").glob("*.po") if p.is_file()]
    found = [(f"LC_MESSAGES/{name}" if name in MEMORY_FILES else name,
              folder / "LC_MESSAGES" / name) for name in sorted(catalogs)]
    return found + [(name, folder / name) for name in MEMORY_FILES
                    if (folder / name).is_file()]


def load_memory(locales_dir: Path, locale: str, reporter: Reporter, locales_rel: str,
                cache_dir: Path | None = None, write_cache: bool = True,
                prints: dict[str, str] | None = None) -> Memory:
    """The locale's memory; each file is read again only when its bytes changed since the
    last run (``cache_dir``). A memory file that does not parse is reported at its line and
    left out; a catalog that does not parse is left out silently (update and check report
    it where they read it). ``prints``: every catalog's print by file name, when the caller
    has made them (a file is then read only when the cache does not hold its print)."""
    cache_path = cache_dir / f"memory-{locale}.pickle" if cache_dir else None
    with no_gc():  # tens of thousands of tuples, no cycles: see state.no_gc
        cached, built = _read_cache(cache_path)
        files: dict[str, _Cached] = {}
        for name, path in _sources(locales_dir, locale, prints):
            print_ = (prints or {}).get(path.name) if path.parent.name == "LC_MESSAGES" \
                else None
            entry = cached.get(name)
            if entry is None or print_ is None or entry[0] != print_:
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                if entry is None or entry[0] != bytes_fingerprint(data):
                    entry = (bytes_fingerprint(data), *_read_file(
                        path, data, name, locale, f"{locales_rel}/{locale}/{config_rel(name)}"))
            files[name] = entry
            if entry[2] is not None and name in MEMORY_FILES:  # catalogs: update reports them
                line, message = entry[2]
                reporter.warn(Location(f"{locales_rel}/{locale}/{config_rel(name)}", line),
                              f"translation memory file ignored: {message}", "memory-syntax")
        if files == cached and built is not None:  # the usual case: nothing changed
            return Memory(units=built)
        memory = Memory([(name, entry[1]) for name, entry in files.items()])
        # A few changed files are read again next time (a millisecond each); rewriting the
        # whole cache (a megabyte for 200 articles) costs more than that.
        stale = sum(cached.get(name) != entry for name, entry in files.items()) + \
            sum(name not in files for name in cached)
        if cache_path is not None and write_cache and (stale >= _REWRITE_AFTER or not cached):
            _write_cache(cache_path, files, memory.units)
    return memory


def config_rel(name: str) -> str:
    """A memory source's path under ``locales/<ll>/``."""
    return name if name in MEMORY_FILES or "/" in name else f"LC_MESSAGES/{name}"


def _write_cache(path: Path, files: dict[str, _Cached], units: dict) -> None:
    """The cache is derived and checked on reading: removed first, so that its new version
    is written without an fsync (write_bytes_atomic syncs a file it replaces; eight of those
    cost more than the reading they save). It holds each file's units, and the memory made
    of them (which, unpickled, shares their tuples)."""
    path.unlink(missing_ok=True)
    write_bytes_atomic(path, pickle.dumps({"version": _CACHE_VERSION, "files": files,
                                           "units": units}, protocol=5), durable=False)


def _read_cache(path: Path | None) -> tuple[dict[str, _Cached], dict | None]:
    if path is None:
        return {}, None
    try:
        data = pickle.loads(path.read_bytes())
        if data.get("version") == _CACHE_VERSION:
            return data["files"], data["units"]
    except Exception:  # missing, truncated or foreign: read every file again
        pass
    return {}, None


def _read_file(path: Path, data: bytes, name: str, locale: str, rel: str):
    """(units, problem) of one memory source."""
    if name == "memory.tmx":
        from pipeline.stages.memory_tmx import read_tmx

        return read_tmx(data, locale)
    if name == "memory.po":  # a team's file: msgfmt checks it, so errors have their line
        try:
            read_checked_catalog(path, rel)
        except ContentError as exc:
            return (), (exc.issue.location.line, exc.issue.message)
    try:
        entries = scan_po(decode_po(data))
    except (ValueError, LookupError) as exc:  # bad bytes, syntax; an unknown charset
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        return (), (line, "cannot be read as PO")
    date = po_date(header_field(entries, "PO-Revision-Date"))
    units = tuple((e.msgid, e.msgstr, role_of(e.extracted), e.msgstr_line, date)
                  for e in entries if e.msgid and e.msgstr and not e.plural and not e.fuzzy
                  and not e.obsolete)
    return units, None


_PO_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?\s*"
                      r"(?:([+-])(\d\d):?(\d\d))?")


def po_date(value: str) -> str:
    """A PO date (``2026-11-24 09:00+0000``) as UTC ``YYYYMMDDTHHMMSS``; "" when it is
    missing or a placeholder."""
    m = _PO_DATE.match(value.strip())
    if m is None:
        return ""
    try:
        when = dt.datetime(*(int(m.group(i)) for i in range(1, 6)), int(m.group(6) or 0))
    except ValueError:
        return ""
    if m.group(7):
        offset = dt.timedelta(hours=int(m.group(8)), minutes=int(m.group(9)))
        when -= offset if m.group(7) == "+" else -offset
    return when.strftime("%Y%m%dT%H%M%S")
