"""Text safety: characters that must not reach a page, a review page, the manifest or a voice.

Translated text is untrusted, and source text can carry invisible characters pasted from other
programs. Every msgstr and every source string passes these rules before any output is made
(checks.py runs them on msgstrs; localize runs ``source_safety`` on the source). One function
per rule, each returning messages for its check code:

- ``control_chars`` [control-chars]: C0/C1 controls (tab and newline are whitespace here),
  noncharacters, line and paragraph separators, and a few invisible format characters. They
  are written raw into HTML, stop espeak-ng (NUL), and break PO parsers that split lines on
  them. Always an error: nothing legitimate needs them.
- ``bidi_controls`` [bidi]: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
  and the marks LRM, RLM, ALM. The page sets ``dir`` itself, so none is needed; one that
  reaches a number or its unit can make a reader see "21 mg" where the source says 12 (and the
  voice says twelve), so that is an error, as is one left open (it reorders whatever follows
  the string: the site name in a title, the size in a download label). Elsewhere a warning.
  Marks are legitimate in right-to-left text, except inside a number.
- ``foreign_digits`` [digits]: digits of a script the locale does not use ("٥٠" on a Spanish
  page reads "o·" to most readers, and the voice skips it).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from pipeline.model import Issue, Location, Segment, Severity
from pipeline.numbers import number_spans

# -- control-chars -------------------------------------------------------------------------

_ALLOWED_CONTROLS = "\t\n"
_INVISIBLE = {  # format characters with no use in running text, by code point
    "\u206a": "INHIBIT SYMMETRIC SWAPPING", "\u206b": "ACTIVATE SYMMETRIC SWAPPING",
    "\u206c": "INHIBIT ARABIC FORM SHAPING", "\u206d": "ACTIVATE ARABIC FORM SHAPING",
    "\u206e": "NATIONAL DIGIT SHAPES", "\u206f": "NOMINAL DIGIT SHAPES",
    "\ufff9": "INTERLINEAR ANNOTATION ANCHOR", "\ufffa": "INTERLINEAR ANNOTATION SEPARATOR",
    "\ufffb": "INTERLINEAR ANNOTATION TERMINATOR",
}
# Line breaks that are not "\n": str.splitlines() (and so polib) breaks lines at them.
_LINE_BREAKS = "\u2028\u2029\u0085\x0b\x0c\r\x1c\x1d\x1e"


def is_unsafe_char(c: str) -> bool:
    """A character of the control-chars rule."""
    o = ord(c)
    if c in _ALLOWED_CONTROLS:
        return False
    return (o < 0x20 or 0x7f <= o <= 0x9f or c in "\u2028\u2029" or c in _INVISIBLE
            or 0xfdd0 <= o <= 0xfdef or (o & 0xfffe) == 0xfffe or 0xd800 <= o <= 0xdfff
            or o == 0xe0001 or 0xe0020 <= o <= 0xe007f)  # tag characters: hidden text


def char_name(c: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how messages name an invisible character."""
    name = _INVISIBLE.get(c) or unicodedata.name(c, "")
    if not name:
        o = ord(c)
        name = ("NONCHARACTER" if 0xfdd0 <= o <= 0xfdef or (o & 0xfffe) == 0xfffe else
                _CONTROL_NAMES.get(c, "CONTROL"))
    return f"U+{ord(c):04X} {name}"


_CONTROL_NAMES = {"\x00": "NULL", "\x08": "BACKSPACE", "\x0b": "LINE TABULATION",
                  "\x0c": "FORM FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE",
                  "\x7f": "DELETE", "\x85": "NEXT LINE"}


def _unsafe_class() -> re.Pattern:
    ranges = [(0x00, 0x08), (0x0b, 0x1f), (0x7f, 0x9f), (0x2028, 0x2029), (0x206a, 0x206f),
              (0xfdd0, 0xfdef), (0xfff9, 0xfffb), (0xd800, 0xdfff), (0xe0001, 0xe0001),
              (0xe0020, 0xe007f)] + [(p + 0xfffe, p + 0xffff) for p in range(0, 0x110000,
                                                                            0x10000)]
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                                    for a, b in ranges) + "]")


_UNSAFE = _unsafe_class()  # the same characters as is_unsafe_char, for a fast search


def control_chars(text: str) -> list[str]:
    """[control-chars]: one message naming each kind of unsafe character, with a count."""
    if not _UNSAFE.search(text):
        return []
    found = [c for c in text if is_unsafe_char(c)]
    if not found:
        return []
    kinds = list(dict.fromkeys(found))
    names = ", ".join(char_name(c) + (f" (x{found.count(c)})" if found.count(c) > 1 else "")
                      for c in kinds[:4]) + (", ..." if len(kinds) > 4 else "")
    return [f"contains invisible control characters that must not be published: {names}"]


# -- bidi ----------------------------------------------------------------------------------

_EMBEDDINGS = "\u202a\u202b\u202d\u202e"  # LRE, RLE, LRO, RLO: closed by PDF
_PDF = "\u202c"
_ISOLATES = "\u2066\u2067\u2068"  # LRI, RLI, FSI: closed by PDI
_PDI = "\u2069"
_MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM
BIDI_CONTROLS = _EMBEDDINGS + _PDF + _ISOLATES + _PDI
DIRECTION_CHARS = BIDI_CONTROLS + _MARKS
_DIRECTIONAL = re.compile(f"[{DIRECTION_CHARS}]")
_TAGS = re.compile(r"</?(?:em|strong|code|a\d+)>|<br ?/>")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # interface text: filled in with sizes and times


def _layout(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text as read (tags out, placeholders as the numbers they become) without its bidi
    characters, and where each of those stood in it."""
    plain = _PLACEHOLDER.sub("0", _TAGS.sub("", text))
    out: list[str] = []
    controls = []
    for c in plain:
        if c in BIDI_CONTROLS or c in _MARKS:
            controls.append((len(out), c))
        else:
            out.append(c)
    return "".join(out), controls


def _scopes(controls: list[tuple[int, str]], end: int
            ) -> tuple[list[tuple[int, int, str]], list[str]]:
    """(start, end, opener) of each embedding or isolate, as the Unicode bidi algorithm pairs
    them; and the openers left unclosed (their scope runs to ``end``)."""
    stack: list[tuple[int, str]] = []
    scopes, unclosed = [], []
    for pos, c in controls:
        if c in _EMBEDDINGS or c in _ISOLATES:
            stack.append((pos, c))
        elif c == _PDF and stack and stack[-1][1] in _EMBEDDINGS:
            start, opener = stack.pop()
            scopes.append((start, pos, opener))
        elif c == _PDI and any(o in _ISOLATES for _, o in stack):
            while stack:  # a PDI also closes the embeddings opened inside its isolate
                start, opener = stack.pop()
                scopes.append((start, pos, opener))
                if opener in _ISOLATES:
                    break
    for start, opener in stack:
        scopes.append((start, end, opener))
        unclosed.append(opener)
    return scopes, unclosed


def bidi_controls(text: str, direction: str = "ltr") -> list[tuple[bool, str]]:
    """[bidi]: (serious, message) pairs; serious ones are errors whatever the settings."""
    if not _DIRECTIONAL.search(text):
        return []
    plain, controls = _layout(text)
    spans = number_spans(plain)

    def touches(start: int, end: int) -> bool:
        """A number overlaps [start, end], or only spaces lie between them."""
        return any(s < end and e > start or (e <= start and not plain[e:start].strip())
                   or (s >= end and not plain[end:s].strip()) for s, e in spans)

    found: list[tuple[bool, str]] = []
    scopes, unclosed = _scopes(controls, len(plain))
    if unclosed:
        found.append((True, "an unclosed " + ", ".join(map(char_name, unclosed)) +
                      " reorders the text that follows this string on the page"))
    near = sorted({opener for start, end, opener in scopes if touches(start, end)})
    if near:
        found.append((True, ", ".join(map(char_name, near)) + " around a number can make "
                      "readers see other digits than the voice says; remove it (the page "
                      "sets the text direction)"))
    inside = sorted({c for pos, c in controls if c in _MARKS and any(
        s < pos < e if direction == "rtl" else s <= pos <= e for s, e in spans)})
    if inside:
        found.append((True, ", ".join(map(char_name, inside)) + " inside or next to a number "
                      "can reorder its digits or signs"))
    rest = sorted({c for _, c in controls if c not in near and c not in inside and c not in
                   unclosed and (c not in _MARKS or direction != "rtl")})
    if rest and not found:
        found.append((False, "contains invisible direction controls: " +
                      ", ".join(map(char_name, rest)) + "; the page sets the text direction, "
                      "so they are not needed"))
    return found


# -- digits --------------------------------------------------------------------------------

# CLDR numbering system ids, by the code point of their digit zero.
DIGIT_SYSTEMS = {
    "latn": 0x30, "arab": 0x660, "arabext": 0x6f0, "nkoo": 0x7c0, "deva": 0x966,
    "beng": 0x9e6, "guru": 0xa66, "gujr": 0xae6, "orya": 0xb66, "tamldec": 0xbe6,
    "telu": 0xc66, "knda": 0xce6, "mlym": 0xd66, "sinh": 0xde6, "thai": 0xe50, "laoo": 0xed0,
    "tibt": 0xf20, "mymr": 0x1040, "khmr": 0x17e0, "mong": 0x1810, "fullwide": 0xff10,
}
_SYSTEM_OF_ZERO = {zero: name for name, zero in DIGIT_SYSTEMS.items()}
# Digits a locale's readers (and its voice) read, by language, when pipeline.toml does not
# say ([checks.digits]). ASCII digits are read everywhere in health texts; Arabic-script
# languages also use their own. The table is the project's, not CLDR's (which changed the
# default of "ar" to Latin digits), so a library upgrade cannot change what is accepted.
DEFAULT_DIGITS = {
    "ar": ("latn", "arab"), "ckb": ("latn", "arab"), "fa": ("latn", "arabext"),
    "ur": ("latn", "arabext"), "ps": ("latn", "arabext"), "sd": ("latn", "arab"),
    "hi": ("latn", "deva"), "mr": ("latn", "deva"), "ne": ("latn", "deva"),
    "bn": ("latn", "beng"), "my": ("latn", "mymr"), "km": ("latn", "khmr"),
}


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def digit_system(c: str) -> str:
    """The CLDR numbering system of a decimal digit (``arab`` for ٣), or its Unicode block."""
    zero = ord(c) - unicodedata.decimal(c)
    return _SYSTEM_OF_ZERO.get(zero) or unicodedata.name(chr(zero), f"U+{zero:04X}").replace(
        " DIGIT ZERO", "").lower()


def accepted_digits(locale: str, configured: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if configured:
        return tuple(configured)
    return DEFAULT_DIGITS.get(locale.split("_")[0].split("@")[0], ("latn",))


def foreign_digits(text: str, accepted: tuple[str, ...], source: str = "") -> list[str]:
    """[digits]: digits in a script outside ``accepted`` (and not in the source either)."""
    if "latn" in accepted and not _OTHER_DIGIT.search(text):
        return []
    allowed = set(accepted) | {digit_system(c) for c in source if c.isdecimal()}
    bad = [c for c in text if c.isdecimal() and digit_system(c) not in allowed]
    if not bad:
        return []
    systems = ", ".join(dict.fromkeys(_describe(digit_system(c)) for c in bad))
    wanted = " or ".join(_describe(s) for s in accepted)
    return [f"digits {''.join(dict.fromkeys(bad))} are {systems}; this locale's readers and "
            f"voice need {wanted} ([checks.digits] in pipeline.toml lists others)"]


def _describe(system: str) -> str:
    zero = DIGIT_SYSTEMS.get(system)
    return f"{system} ({chr(zero)}-{chr(zero + 9)})" if zero else system


# -- showing and cleaning ------------------------------------------------------------------

def visible(text: str) -> str:
    """Invisible characters written as ``<U+202E>``, for messages and review pages."""
    return "".join(f"<U+{ord(c):04X}>" if is_unsafe_char(c) or c in BIDI_CONTROLS
                   or c in _MARKS else c for c in text)


def clean(text: str, marks: bool = False) -> str:
    """Text safe for any output: line breaks of other kinds become spaces, other unsafe
    characters and every embedding, override and isolate go (the page sets direction), and
    with ``marks`` the direction marks too."""
    out = []
    for c in text:
        if c in _LINE_BREAKS:
            out.append(" ")
        elif not is_unsafe_char(c) and c not in BIDI_CONTROLS and not (marks and c in _MARKS):
            out.append(c)
    return "".join(out)


def source_safety(segment: Segment, direction: str) -> tuple[Segment, list[Issue]]:
    """A source segment as outputs may show it, and what is wrong with it, at its
    ``source/x.md:LINE``: unsafe characters and direction controls at numbers are errors
    (they are removed from every output), other direction controls warnings."""
    texts = [segment.text] + [t for link in segment.links for t in (link.title, link.url)]
    if not any(_UNSAFE.search(t) or _DIRECTIONAL.search(t) for t in texts):
        return segment, []
    found = [("control-chars", True, m) for t in texts for m in control_chars(t)]
    found += [("bidi", serious, m) for serious, m in bidi_controls(segment.text, direction)]
    issues = [Issue(segment.location, Severity.ERROR if serious else Severity.WARNING,
                    message, code) for code, serious, message in found]
    if not any(serious for _, serious, _ in found):
        return segment, issues
    links = tuple(replace(link, title=clean(link.title), url=clean(link.url))
                  for link in segment.links)
    return replace(segment, text=clean(segment.text, marks=True), links=links), issues


def front_matter_safety(value: str, field: str, where: Location) -> tuple[str, list[Issue]]:
    """A front-matter value that pages show (the author in bylines): unsafe characters and
    direction controls that reach past it or a number are errors, and removed."""
    found = control_chars(value) + [m for serious, m in bidi_controls(value) if serious]
    if not found:
        return value, []
    return clean(value, marks=True), [
        Issue(where, Severity.ERROR, f"front matter '{field}': {m}",
              "control-chars" if m.startswith("contains") else "bidi") for m in found]
