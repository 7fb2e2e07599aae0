"""PO text written byte for byte as GNU gettext (msgmerge, msgcat) writes it.

Templates are written in GNU's exact form so that a new catalog can be the template's entries
under a locale's header, with no msgmerge run per template: a library starts with hundreds of
templates times dozens of locales. Being exact also means the first real merge of such a
catalog changes nothing, so translators' diffs show only their own work.

GNU wraps strings with libunistring's Unicode line breaking (UAX #14), which breaks in places
no textwrap-style wrapper does (after ``</``, before ``(``...); the line breaking is therefore
asked of libunistring itself, the library gettext is linked with, through ctypes. The rest of
``wrap()`` in gettext's write-po.c (escapes, where breaks are forbidden, the empty first line)
is reproduced here. Where libunistring cannot be loaded, ``EXACT`` is False and callers let
msgmerge do the writing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import re
from typing import Iterable

PAGE_WIDTH = 79  # GNU gettext's default, and what we pass to msgmerge

# libunistring's break values (unilbrk.h)
_UNDEFINED, _PROHIBITED, _POSSIBLE = 0, 1, 2
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\", '"': '\\"'}
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_ESCAPE_PAIR = re.compile(r"\\.")


def _load_line_breaker():
    """libunistring's ``ulc_width_linebreaks``, preferring the ``_v2`` entry point that
    gettext built against libunistring >= 1.0 calls."""
    # The usual sonames first: find_library runs ldconfig, slower than the rest of start-up.
    for name in ("libunistring.so.5", "libunistring.so.2", None):
        try:
            library = ctypes.CDLL(name or ctypes.util.find_library("unistring") or "")
        except OSError:
            continue
        for symbol in ("ulc_width_linebreaks_v2", "ulc_width_linebreaks"):
            function = getattr(library, symbol, None)
            if function is not None:
                function.restype = ctypes.c_int
                function.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                     ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                     ctypes.c_char_p, ctypes.c_char_p]
                return function
    return None


_LINE_BREAKS = _load_line_breaker()
EXACT = _LINE_BREAKS is not None


def _portion_bytes(portion: str) -> tuple[bytes, bytes]:
    """A portion escaped as in a PO string, and the per-byte overrides gettext gives the line
    breaker: never inside an escape sequence or a multibyte character."""
    escaped = portion.translate(_ESCAPE_TABLE)
    if portion.isascii():
        data = escaped.encode("ascii")
        overrides = bytearray(len(data))
        if len(data) != len(portion):
            for match in _ESCAPE_PAIR.finditer(escaped):
                overrides[match.start() + 1] = _PROHIBITED
    else:
        chunks, marks = [], []
        for char in portion:
            text = _ESCAPES.get(char, char).encode("utf-8")
            chunks.append(text)
            marks.append(bytes([_UNDEFINED]) + bytes([_PROHIBITED]) * (len(text) - 1))
        data, overrides = b"".join(chunks), bytearray(b"".join(marks))
    if portion.endswith("\n"):  # never break just before the final "\n"
        overrides[-2] = _PROHIBITED
    return data, bytes(overrides)


def _breaks(data: bytes, overrides: bytes, width: int, start: int) -> bytes:
    result = ctypes.create_string_buffer(len(data))
    _LINE_BREAKS(data, len(data), width, start, 0, overrides, b"UTF-8", result)
    return result.raw


def _portions(value: str) -> list[str]:
    """``value`` cut after each newline, as write-po.c loops over it."""
    parts = value.split("\n")
    portions = [part + "\n" for part in parts[:-1]]
    if parts[-1] or not portions:
        portions.append(parts[-1])
    return portions


def wrap_string(keyword: str, value: str, prefix: str = "",
                page_width: int = PAGE_WIDTH) -> list[str]:
    """The lines of ``keyword "value"`` (e.g. ``msgid``), wrapped as GNU gettext does.

    Requires ``EXACT`` (libunistring); ``prefix`` is ``"#| "`` for previous msgids.
    """
    lines: list[str] = []
    first = True
    after_break = len(prefix) + 1
    width = page_width - 1 - after_break  # room for the closing quote and the indent
    portions = _portions(value)
    for index, portion in enumerate(portions):
        data, overrides = _portion_bytes(portion)
        while True:
            start = len(prefix) + (len(keyword) + 1 if first else 0) + 1 - after_break
            # A string that fits has no breaks (no character is wider than its UTF-8
            # bytes), and most do: libunistring is asked only about the others.
            fits = start + len(data) <= width
            breaks = b"" if fits or not data else _breaks(data, overrides, width, start)
            if (first and data and (index < len(portions) - 1 or start > width
                                    or _POSSIBLE in breaks)):
                lines.append(f'{prefix}{keyword} ""')
                first = False
                continue  # recompute the breaks for a line of its own
            break
        head = f"{prefix}{keyword} " if first else prefix
        first = False
        cuts = [i for i, kind in enumerate(breaks) if kind == _POSSIBLE]
        pieces = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
        for number, piece in enumerate(pieces):
            lines.append((head if number == 0 else prefix) + '"' + piece.decode("utf-8")
                         + '"')
    return lines


def reference_lines(occurrences: Iterable[tuple[str, int]],
                    page_width: int = PAGE_WIDTH) -> list[str]:
    """``#:`` lines: ``file:line`` references, wrapped as message_print_comment_filepos."""
    lines, line, column, seen = [], "#:", 2, set()
    # gettext reads a "#:" line as references separated by white space (a path with a
    # space becomes two), and keeps one of each: written the way it will be read back.
    references = [ref for path, number in occurrences
                  for ref in (f"{path}:{number}" if number else path).split()]
    for reference in references:
        while reference.startswith("./"):
            reference = reference[2:]
        if reference in seen:
            continue
        seen.add(reference)
        size = len(reference.encode("utf-8")) + 1
        if column > 2 and column + size > page_width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + reference
        column += size
    lines.append(line)
    return lines


def header_lines(fields: list[tuple[str, str]], comments: Iterable[str] = (),
                 fuzzy: bool = False) -> list[str]:
    """A header entry: translator comments, the fuzzy flag, and the fields as its msgstr."""
    lines = [f"# {c}" if c else "#" for c in comments]
    if fuzzy:
        lines.append("#, fuzzy")
    lines.append('msgid ""')
    lines += wrap_string("msgstr", "".join(f"{key}: {value}\n" for key, value in fields))
    return lines


def entry_lines(msgid: str, occurrences: Iterable[tuple[str, int]] = (),
                extracted: Iterable[str] = (), flags: Iterable[str] = ()) -> list[str]:
    """An untranslated entry: extracted comments, references, flags, msgid, empty msgstr."""
    lines = [f"#. {c}" if c else "#." for c in extracted]
    occurrences = list(occurrences)
    if occurrences:
        lines += reference_lines(occurrences)
    if flags:
        lines.append("#, " + ", ".join(flags))
    lines += wrap_string("msgid", msgid)
    lines.append('msgstr ""')
    return lines
