"""Small helpers for tests that read and edit gettext catalogs and sources like a person would."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import polib

OLD = 1_000_000_000  # 2001-09-09: a file rewritten by the pipeline gets a newer mtime than this
ISSUE_RE = re.compile(r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<severity>error|warning): "
                      r"(?P<message>.+) \[(?P<code>[a-z0-9-]+)\]$")


def pot_path(root: Path, slug: str) -> Path:
    return root / "locales" / f"{slug}.pot"


def po_path(root: Path, locale: str, slug: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{slug}.po"


def read_po(path: Path) -> polib.POFile:
    return polib.pofile(str(path), wrapwidth=79)


def live(path_or_po, msgid: str) -> polib.POEntry:
    """The live (not obsolete) entry with this msgid; fails the test when there is none."""
    po = read_po(path_or_po) if isinstance(path_or_po, Path) else path_or_po
    for e in po:
        if e.msgid == msgid and not e.obsolete:
            return e
    raise AssertionError(f"no live entry {msgid!r}; msgids: {[e.msgid for e in po]}")


def obsolete(path_or_po, msgid: str) -> polib.POEntry:
    po = read_po(path_or_po) if isinstance(path_or_po, Path) else path_or_po
    for e in po.obsolete_entries():
        if e.msgid == msgid:
            return e
    raise AssertionError(f"no obsolete entry {msgid!r}")


def msgids(path: Path) -> list[str]:
    """The live msgids of a catalog, in file order."""
    return [e.msgid for e in read_po(path) if not e.obsolete]


def translate(path: Path, translations: dict[str, str]) -> None:
    """Fill msgstrs as a translator would (and clear fuzzy on those entries)."""
    po = read_po(path)
    for msgid, msgstr in translations.items():
        e = live(po, msgid)
        e.msgstr = msgstr
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
    po.save(str(path))


def fake_translation(locale: str, msgid: str) -> str:
    return f"[{locale}] {msgid}"


def translate_everything(path: Path, locale: str) -> dict[str, str]:
    """Translate every live entry; returns msgid -> msgstr."""
    done = {m: fake_translation(locale, m) for m in msgids(path)}
    translate(path, done)
    return done


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a text file; the old text must be there exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def age(path: Path) -> int:
    """Back-date a file so that any rewrite shows in its mtime; returns the old mtime_ns."""
    os.utime(path, (OLD, OLD))
    return path.stat().st_mtime_ns


def msgfmt_check(path: Path) -> None:
    done = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"msgfmt --check {path} failed:\n{done.stderr}"


def catalogs(root: Path) -> list[Path]:
    return sorted((root / "locales").rglob("*.pot")) + sorted((root / "locales").rglob("*.po"))


def issues(stderr: str) -> list[dict]:
    """The ``path:line: severity: message [code]`` lines of a run's stderr."""
    return [m.groupdict() for line in stderr.splitlines() if (m := ISSUE_RE.match(line))]


def one_issue(stderr: str, code: str) -> dict:
    found = [i for i in issues(stderr) if i["code"] == code]
    assert len(found) == 1, f"expected one [{code}] issue, got {found}; stderr:\n{stderr}"
    return found[0]
