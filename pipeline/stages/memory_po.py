"""A fast reading of PO text for the translation memory: entries with their line ranges, so
update can rewrite a pre-filled entry in place and leave every other byte as msgmerge wrote it.

polib would do the reading, but the memory reads every catalog of a locale (1,600 files on
the 200-article benchmark) and polib takes several times longer than this scanner; polib also
keeps no line ranges. The scanner is strict: a line it does not understand raises
``ValueError`` with its number, and the caller leaves that file out of the memory (update
reports a broken catalog when it merges it; a memory file is checked by msgfmt first).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.model import Role

_STRING = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
           '"': '"', "\\": "\\", "'": "'", "?": "?"}


@dataclass(frozen=True)
class PoEntry:
    """One entry of a PO file: what the memory needs, and where it stands (0-based line
    indexes, ``end`` exclusive; ``msgstr_line`` is 1-based, as msgfmt and editors count)."""

    start: int
    end: int
    msgid: str
    msgstr: str
    msgctxt: str | None = None
    plural: bool = False
    obsolete: bool = False
    flags: tuple[str, ...] = ()
    previous_msgid: str | None = None
    extracted: tuple[str, ...] = ()
    msgstr_line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match) -> str:
        code = m.group(1)
        if code[0] == "x":
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, text)


_STR = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"[ \t]*(?:\n|\Z)'
_STRS = _STR + r"(?:[ \t]*" + _STR + r")*"
_ENTRY = re.compile(
    r"^(?P<comments>(?:#[^\n]*\n)*)(?:msgctxt[ \t]+(?P<ctx>" + _STRS + r"))?"
    r"msgid[ \t]+(?P<id>" + _STRS + r")(?:msgid_plural[ \t]+(?P<plural>" + _STRS + r"))?"
    r"(?P<str>msgstr(?:\[0\])?[ \t]+" + _STRS + r")(?:msgstr\[\d+\][ \t]+" + _STRS + r")*",
    re.M)
# What may stand between entries: blank lines, comments, obsolete entries (#~).
_BETWEEN = re.compile(r"(?:[ \t]*(?:#[^\n]*)?(?:\n|\Z))*")


def _joined(strings: str) -> str:
    return unescape("".join(_STRING.findall(strings)))


def scan_po(text: str) -> list[PoEntry]:
    """The live entries of a PO file's text, the header included (the entry whose msgid is
    ""); obsolete entries are skipped. One regular expression finds the entries, so a
    catalog is read at C speed; what lies between them must be blank lines or comments, or
    ``ValueError`` names the line."""
    text = text.replace("\r\n", "\n")
    entries: list[PoEntry] = []
    pos, line = 0, 0
    for m in _ENTRY.finditer(text):
        gap = text[pos:m.start()]
        if _BETWEEN.fullmatch(gap) is None:
            bad = _BETWEEN.match(gap).end()
            raise ValueError(f"line {line + gap.count(chr(10), 0, bad) + 1}: not PO syntax")
        line += gap.count("\n")
        start = line
        flags, extracted, previous = _comments(m.group("comments"))
        msgstr_line = start + text.count("\n", m.start(), m.start("str")) + 1
        line += text.count("\n", m.start(), m.end())
        end = line + (1 if not m.group(0).endswith("\n") else 0)
        ctx = m.group("ctx")
        entries.append(PoEntry(start, end, _joined(m.group("id")),
                               _joined(m.group("str")),
                               None if ctx is None else _joined(ctx),
                               m.group("plural") is not None, False, flags, previous,
                               extracted, msgstr_line))
        pos = m.end()
    rest = text[pos:]
    if _BETWEEN.fullmatch(rest) is None:
        bad = _BETWEEN.match(rest).end()
        raise ValueError(f"line {line + rest.count(chr(10), 0, bad) + 1}: not PO syntax")
    return entries


def _comments(block: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Flags, extracted comments and the previous msgid of an entry's comment lines."""
    flags: list[str] = []
    extracted: list[str] = []
    previous: list[str] | None = None
    in_previous = False  # the #| strings that follow belong to the previous msgid
    for line in block.split("\n"):
        if line.startswith("#,"):
            flags += [f.strip() for f in line[2:].split(",") if f.strip()]
        elif line.startswith("#."):
            extracted.append(line[2:].strip())
        elif line.startswith("#|"):
            rest = line[2:].strip()
            if rest.startswith('"'):
                if in_previous:
                    previous += _STRING.findall(rest)
            else:
                in_previous = rest.startswith("msgid ")
                if in_previous:
                    previous = _STRING.findall(rest)
    return (tuple(flags), tuple(extracted),
            None if previous is None else unescape("".join(previous)))


def header_field(entries: list[PoEntry], name: str) -> str:
    """A field of the header entry (msgid ""), or ""."""
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete:
            for field in entry.msgstr.split("\n"):
                key, _, value = field.partition(":")
                if key.strip() == name:
                    return value.strip()
            return ""
    return ""


_PLACED = "|".join(re.escape(r.value) for r in Role
                   if r not in (Role.TITLE, Role.SUBTITLE, Role.HEADING))
# extract.py writes where a string stands as the first extracted comment: "Article title",
# "Section heading (id)", 'Section "Heading" (id): list item'; _site.pot "Site interface text".
_ROLE = re.compile(r'Article (title|subtitle)\b|Section heading \(|Section ".*?\): (' + _PLACED
                   + r')\b|Site interface text|(?:role: )?(' + "|".join(
                       re.escape(r.value) for r in Role) + r")$")


@lru_cache(maxsize=4096)  # a template's comments, looked up once per locale
def role_of(comments: tuple[str, ...]) -> str:
    """The role (a ``Role`` value, or "interface" for site text) that the extracted comments
    of an entry record; "" when they record none (a memory file without comments)."""
    if not comments:
        return ""
    m = _ROLE.match(" ".join(c for c in comments if not c.startswith("memory:")))
    if m is None:
        return ""
    if m.group(0).startswith("Section heading"):
        return Role.HEADING.value
    if m.group(0).startswith("Site interface"):
        return "interface"
    return m.group(1) or m.group(2) or m.group(3) or ""
