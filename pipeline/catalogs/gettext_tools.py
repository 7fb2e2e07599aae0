"""GNU gettext's tools, which translators' tools assume: ``msgmerge --previous`` merges
(fuzzy matching with ``#|``, obsolete ``#~`` entries that come back), ``msgfmt`` checks syntax
before a catalog is read. One parser turns their ``file:line: message`` into our errors."""
from __future__ import annotations

import codecs
import re
import shutil
import subprocess
from pathlib import Path

from pipeline.catalogs.model import Catalog
from pipeline.catalogs.pofile import WRAP, _decode, read_catalog
from pipeline.model import Location
from pipeline.report import ContentError


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"GNU gettext's '{name}' is not installed; run 'make setup' "
                           "(as root it installs the Debian package 'gettext')")
    return path


def _gettext_error(stderr: str, fallback: Location, code: str,
                   source: bytes | None = None, prefix: str = "") -> ContentError:
    """Turn msgmerge/msgfmt's first ``file:line: message`` (not a warning) into our error
    form; the one parser of GNU gettext's messages."""
    for line in stderr.splitlines():
        m = re.match(r"^(.+?):(\d+):(?:\d+:)?\s*(.+)$", line)
        if m and not m.group(3).startswith("warning:"):
            number, message = int(m.group(2)), m.group(3).strip()
            if message == "end-of-line within string" and source is not None:
                number = _unterminated_line(source, number)
            return ContentError(Location(fallback.path, number), prefix + message, code)
    message = " ".join(stderr.split()) or "gettext tool failed"
    return ContentError(fallback, (prefix + message)[:300], code)


def _unterminated_line(source: bytes, reported: int) -> int:
    """GNU gettext (0.21) reports an unterminated string on the line after it; find its line."""
    lines = source.split(b"\n")
    for number in (reported, reported - 1):
        if 1 <= number <= len(lines):
            unescaped = re.sub(rb"\\.", b"", lines[number - 1])
            if not unescaped.lstrip().startswith(b"#") and unescaped.count(b'"') % 2:
                return number
    return reported


def msgmerge(po_text: bytes, pot_path: Path, po_rel: str, lang: str) -> bytes:
    """Merge a PO (as bytes) with a POT; return the merged PO bytes or raise ContentError."""
    cmd = [gettext_tool("msgmerge"), "--previous", "--quiet", f"--width={WRAP}",
           f"--lang={lang}", "-o", "-", "-", str(pot_path)]
    done = subprocess.run(cmd, input=po_text, capture_output=True)
    if done.returncode != 0:
        raise _gettext_error(done.stderr.decode("utf-8", "replace").replace("<stdin>", po_rel),
                             Location(po_rel), "po-syntax", po_text)
    return done.stdout


def msgfmt_check(path: Path, rel: str) -> None:
    done = subprocess.run([gettext_tool("msgfmt"), "--check", "-o", "/dev/null", str(path)],
                          capture_output=True)
    if done.returncode != 0:
        raise _gettext_error(done.stderr.decode("utf-8", "replace").replace(str(path), rel),
                             Location(rel), "po-check", path.read_bytes())


def read_checked_catalog(path: Path, rel: str) -> Catalog:
    """``read_catalog``, after GNU msgfmt has checked the syntax.

    polib reads some broken files without complaint (an unterminated string loses that
    translation and the next entries parse on), which would publish a catalog with entries
    silently missing; msgfmt finds the error and its line. Skipped if gettext is missing.
    """
    msgfmt = shutil.which("msgfmt")
    if msgfmt is not None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ContentError(Location(rel), f"cannot read: {exc.strerror}",
                               "unreadable") from exc
        _decode(raw, rel)  # bad bytes: name the charset they break, which msgfmt does not
        done = subprocess.run([msgfmt, "-o", "/dev/null", "-"],
                              input=raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw,
                              capture_output=True)
        if done.returncode != 0:
            raise _gettext_error(done.stderr.decode("utf-8", "replace").replace("<stdin>", rel),
                                 Location(rel), "po-syntax", raw, prefix="PO syntax: ")
    return read_catalog(path, rel)
