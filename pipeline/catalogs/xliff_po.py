"""Imported translations written into a PO file: only the msgstr lines and the fuzzy flag of
the entries that changed; every other byte stays as it was.

The changed lines are written as GNU msgmerge writes them (po_writer.py's wrapping, flags
with ``fuzzy`` first, no ``#|`` lines on an entry that is no longer fuzzy: msgmerge and
Poedit drop them then), so the next ``pipeline update`` changes nothing of what was imported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import polib

from pipeline.catalogs import po_writer

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(".*")\s*$')


@dataclass
class Entry:
    """One live entry of a PO file, as lines: where its parts are and what they say."""

    start: int
    comments: list[int] = field(default_factory=list)
    spans: dict[str, list[int]] = field(default_factory=dict)  # keyword -> [first, last]
    raw: dict[str, list[str]] = field(default_factory=dict)

    @property
    def end(self) -> int:
        return max(last for _, last in self.spans.values())

    def value(self, keyword: str) -> str | None:
        parts = self.raw.get(keyword)
        return None if parts is None else polib.unescape("".join(p[1:-1] for p in parts))

    @property
    def forms(self) -> list[str]:
        """The msgstr, or the plural forms in order."""
        if "msgstr" in self.raw:
            return [self.value("msgstr") or ""]
        keys = sorted((k for k in self.raw if k.startswith("msgstr[")),
                      key=lambda k: int(k[7:-1]))
        return [self.value(k) or "" for k in keys]

    def flags(self, lines: list[str]) -> list[str]:
        return [flag.strip() for i in self.comments if lines[i].startswith("#,")
                for flag in lines[i][2:].rstrip("\r").split(",") if flag.strip()]


def entries(lines: list[str]) -> list[Entry]:
    """The live entries of a PO file's lines (not the header, not obsolete ``#~`` ones)."""
    found: list[Entry] = []
    current: Entry | None = None
    last = ""

    def close() -> None:
        nonlocal current
        if current is not None and "msgid" in current.raw and current.value("msgid") != "":
            found.append(current)
        elif current is not None and current.value("msgctxt") is not None:
            found.append(current)  # a context with an empty msgid is a message, too
        current = None

    for number, line in enumerate(lines):
        text = line.rstrip("\r").strip()
        keyword = _KEYWORD.match(text)
        if not text:
            close()
        elif text.startswith("#"):
            if current is not None and current.spans:
                close()
            current = current or Entry(number)
            current.comments.append(number)
        elif keyword:
            last = keyword.group(1)
            if current is not None and last in ("msgctxt", "msgid") and any(
                    k.startswith("msgstr") for k in current.spans):
                close()
            current = current or Entry(number)
            current.spans[last] = [number, number]
            current.raw[last] = [keyword.group(3)]
        elif text.startswith('"') and current is not None and last in current.spans:
            current.spans[last][1] = number
            current.raw[last].append(text)
    close()
    return found


def rewrite(lines: list[str], entry: Entry, forms: list[str], fuzzy: bool) -> list[str]:
    """The entry's lines with new msgstr forms and fuzzy state (the caller splices them in
    place of ``lines[entry.start:entry.end + 1]``)."""
    eol = "\r" if lines[entry.start].endswith("\r") else ""
    flags = [f for f in entry.flags(lines) if f != "fuzzy"]
    flags = (["fuzzy"] if fuzzy else []) + flags
    out: list[str] = []
    flag_written = False
    for number in entry.comments:
        line = lines[number]
        if line.startswith("#,") or (line.startswith("#|") and not fuzzy):
            if line.startswith("#,") and flags and not flag_written:
                out.append("#, " + ", ".join(flags) + eol)
                flag_written = True
            continue
        if line.startswith("#|") and flags and not flag_written:
            out.append("#, " + ", ".join(flags) + eol)  # GNU's order: flags, then #|
            flag_written = True
        out.append(line)
    if flags and not flag_written:
        out.append("#, " + ", ".join(flags) + eol)
    keep = [k for k in entry.spans if not k.startswith("msgstr")]
    for keyword in keep:
        first, last = entry.spans[keyword]
        out += lines[first:last + 1]
    plural = "msgid_plural" in entry.spans
    for index, form in enumerate(forms):
        keyword = f"msgstr[{index}]" if plural else "msgstr"
        out += [line + eol for line in _wrapped(keyword, form)]
    return out


def _wrapped(keyword: str, value: str) -> list[str]:
    if po_writer.EXACT:
        return po_writer.wrap_string(keyword, value)
    # Without libunistring: polib's wrapping (a later update re-wraps it the GNU way).
    index = keyword[7:-1] if keyword.startswith("msgstr[") else ""
    return polib.POEntry()._str_field("msgstr", "", index, value, po_writer.PAGE_WIDTH)


def splice(lines: list[str], changes: list[tuple[Entry, list[str]]]) -> list[str]:
    """``lines`` with each (entry, new lines) put in place, from the bottom up so earlier
    positions stay valid."""
    result = list(lines)
    for entry, new in sorted(changes, key=lambda change: change[0].start, reverse=True):
        result[entry.start:entry.end + 1] = new
    return result
