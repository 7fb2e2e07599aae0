"""Gettext catalogs: writing POTs, merging POs with GNU msgmerge, and reading translations.

po_writer writes templates, in GNU gettext's exact form. GNU ``msgmerge --previous`` merges,
because it is what translators' tools assume: fuzzy matching with ``#|`` previous msgids,
obsolete ``#~`` entries that come back when their text returns, and comments and custom
headers kept. Babel's update loses data (see DESIGN.md). polib reads catalogs.
"""
from __future__ import annotations

import codecs
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import polib

from pipeline import po_writer
from pipeline.locales import locale_info
from pipeline.model import Location
from pipeline.report import ContentError

WRAP = po_writer.PAGE_WIDTH  # so that msgmerge and our writer agree and files never churn
_POT_DATE = re.compile(r'^"POT-Creation-Date: [^"\\]*\\n"$', re.M)


@dataclass(frozen=True)
class TemplateEntry:
    msgid: str
    occurrences: tuple[tuple[str, int], ...]
    comments: tuple[str, ...]


def render_pot(entries: list[TemplateEntry], project: str, creation_date: str) -> str:
    fields = [("Project-Id-Version", project), ("Report-Msgid-Bugs-To", ""),
              ("POT-Creation-Date", creation_date),
              ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
              ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
              ("Language-Team", "LANGUAGE <LL@li.org>"), ("Language", ""),
              ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
              ("Content-Transfer-Encoding", "8bit")]
    if not po_writer.EXACT:
        return _render_pot_polib(entries, fields)
    blocks = [po_writer.header_lines(fields, comments=[""], fuzzy=True)]
    for entry in entries:
        comments = [line for c in entry.comments for line in _comment_lines(c)]
        blocks.append(po_writer.entry_lines(entry.msgid, entry.occurrences, comments))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _comment_lines(comment: str) -> list[str]:
    """An extracted comment, wrapped to the page as polib (our earlier writer) did, without
    the "#. " that po_writer adds."""
    lines = []
    for line in comment.split("\n"):
        if len(line) + 3 > WRAP:
            lines += [w[3:] for w in textwrap.wrap(line, WRAP, initial_indent="#. ",
                                                   subsequent_indent="#. ",
                                                   break_long_words=False)]
        else:
            lines.append(line)
    return lines


def _render_pot_polib(entries: list[TemplateEntry], fields: list[tuple[str, str]]) -> str:
    """Templates where libunistring is missing: valid, but wrapped a little unlike GNU, so
    new catalogs are then made by msgmerge (see stages/update.py)."""
    pot = polib.POFile(wrapwidth=WRAP)
    pot.metadata = dict(fields)
    pot.metadata_is_fuzzy = ["fuzzy"]
    for entry in entries:
        pot.append(polib.POEntry(msgid=entry.msgid, msgstr="",
                                 occurrences=[(p, str(n) if n else "")
                                              for p, n in entry.occurrences],
                                 comment="\n".join(entry.comments)))
    return str(pot) + "\n"


def pot_creation_date(text: str) -> str | None:
    m = re.search(r'"POT-Creation-Date: ([^"\\]*)\\n"', text)
    return m.group(1) if m else None


def same_except_date(old: str, new: str) -> bool:
    return _POT_DATE.sub("", old) == _POT_DATE.sub("", new)


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"GNU gettext's '{name}' is not installed; run 'make setup' "
                           "(as root it installs the Debian package 'gettext')")
    return path


def _gettext_error(stderr: str, fallback: Location, code: str,
                   source: bytes | None = None) -> ContentError:
    """Turn msgmerge/msgfmt's ``file:line: message`` into our error form."""
    for line in stderr.splitlines():
        if m := re.match(r"^(.+?):(\d+):(?:\d+:)?\s*(.+)$", line):
            number, message = int(m.group(2)), m.group(3).strip()
            if message == "end-of-line within string" and source is not None:
                number = _unterminated_line(source, number)
            return ContentError(Location(fallback.path, number), message, code)
    message = " ".join(stderr.split()) or "gettext tool failed"
    return ContentError(fallback, message[:300], code)


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


def ensure_header(po: bytes, lang: str, plural_forms: str) -> bytes:
    """Set Language, and Plural-Forms when the header has none, leaving every other byte alone.

    An existing Plural-Forms is the translator's: their plural entries are numbered by it, so
    it is never rewritten (GNU msgmerge never does either; ``check`` warns when it differs from
    the project's table). Runs before msgmerge, which then wraps the header its own way, so a
    second update sees a correct header and changes nothing. The header keeps its number of
    lines, so that the lines msgmerge names in its error messages are still the translator's.
    """
    text = po.decode("latin-1")  # byte-preserving for any ASCII-compatible charset
    m = re.search(r'^msgid ""\r?\nmsgstr ""((?:\r?\n"[^\r\n]*"[ \t]*)*)', text, re.M)
    if m is None:
        return po
    old_lines = [line.strip() for line in m.group(1).split("\n")[1:]]
    joined = "".join(line[1:-1] for line in old_lines)
    fields = [f for f in joined.split("\\n") if f]
    wanted = {"Language": lang, "Plural-Forms": plural_forms}
    out, seen = [], set()
    for field in fields:
        key = field.partition(":")[0]
        if key in wanted:
            if key in seen:
                continue
            seen.add(key)
            if key == "Language" or not field.partition(":")[2].strip():
                field = f"{key}: {wanted[key]}"
        out.append(field)
    out += [f"{key}: {value}" for key, value in wanted.items() if key not in seen]
    if out == fields:
        return po
    strings = [f'"{field}\\n"' for field in out]
    if not old_lines:  # an empty header: the strings go on the msgstr line itself
        block = " " + " ".join(strings)
    else:  # one string per line, the surplus on the last line, padded with empty strings
        keep = len(old_lines) - 1
        per_line = strings[:keep] + [" ".join(strings[keep:]) or '""']
        block = "".join(f"\n{line}" for line in per_line + ['""'] * (keep - len(strings)))
    return (text[: m.start(1)] + block + text[m.end(1):]).encode("latin-1")


def has_header(po: bytes) -> bool:
    """Whether a PO has a header entry (the entry whose msgid is empty)."""
    return re.search(rb'^msgid ""\r?\nmsgstr ', po, re.M) is not None


NEW_PO_COMMENTS = ("Translations of the health library.",
                   "This file is distributed under the same license as the articles.", "")


def new_po_fields(lang: str, plural_forms: str, project: str, revised: str,
                  template: tuple[tuple[str, str], ...] = ()) -> list[tuple[str, str]]:
    """The header fields of a new catalog, in the order msginit writes them; ``template`` holds
    the fields msgmerge copies from the POT (Report-Msgid-Bugs-To, POT-Creation-Date), which it
    puts after Project-Id-Version. No placeholder is left for ``msgfmt --check`` to flag: the
    catalog was last revised when its template was made (``revised``, so the same template
    gives the same bytes), by no one yet, for the language's team."""
    return [("Project-Id-Version", project), *template,
            ("PO-Revision-Date", revised),
            ("Last-Translator", "Automatically generated"),
            ("Language-Team", locale_info(lang).english_name), ("Language", lang),
            ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"), ("Plural-Forms", plural_forms)]


def new_po_header(lang: str, plural_forms: str, project: str, revised: str) -> bytes:
    """The header of a newly created catalog, as input for msgmerge: one field per line."""
    lines = [f"# {c}" if c else "#" for c in NEW_PO_COMMENTS] + ['msgid ""', 'msgstr ""']
    lines += ['"' + f"{key}: {value}".replace("\\", "\\\\").replace('"', '\\"') + '\\n"'
              for key, value in new_po_fields(lang, plural_forms, project, revised)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def revision_date(pot: bytes) -> str:
    """A new catalog's PO-Revision-Date: its template's creation date, or now."""
    found = pot_creation_date(pot[:4000].decode("utf-8", "replace"))
    if found and not found.startswith("YEAR"):
        return found
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M+0000")


@dataclass(frozen=True)
class Translation:
    msgstr: str
    fuzzy: bool
    line: int
    previous_msgid: str = ""


@dataclass(frozen=True)
class Catalog:
    """The live entries of one PO file, keyed by msgid."""

    path: Path
    rel: str
    language: str
    entries: Mapping[str, Translation]
    plural_forms: str = ""  # the header's Plural-Forms, as the translator's file has it
    plural_forms_line: int = 0


def read_catalog(path: Path, rel: str) -> Catalog:
    """Read a PO file for the build; raises ContentError naming the file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(Location(rel), f"cannot read: {exc.strerror}", "unreadable") from exc
    text = _decode(raw, rel)  # bad bytes or an unknown charset: an error with its line
    try:
        po = parse_po(text)
    except (OSError, ValueError, LookupError, UnicodeDecodeError) as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        message = re.sub(r"\s*\(line \d+\)", "", str(exc)) or "cannot be parsed"
        raise ContentError(Location(rel, line), f"PO syntax: {message}", "po-syntax") from exc
    lines = po_lines(text)
    entries = {}
    for entry in po:
        # Sources are looked up without a context: an entry with a msgctxt (Weblate and
        # Lokalize keep them) is another message, even when its msgid is the same.
        if entry.obsolete or not entry.msgid or entry.msgctxt is not None:
            continue
        entries[entry.msgid] = Translation(entry.msgstr, "fuzzy" in entry.flags,
                                           _msgstr_line(lines, entry.linenum),
                                           entry.previous_msgid or "")
    plural_line = next((n for n, line in enumerate(lines, 1)
                        if line.startswith('"Plural-Forms:')), 0)
    return Catalog(path, rel, po.metadata.get("Language", ""), MappingProxyType(entries),
                   po.metadata.get("Plural-Forms", ""), plural_line)


def _msgstr_line(lines: list[str], start: int) -> int:
    """The line of an entry's msgstr, which is what msgfmt and editors point at; polib
    numbers an entry by its first line (often a comment)."""
    for number in range(max(start, 1), len(lines) + 1):
        if lines[number - 1].startswith("msgstr"):
            return number
    return start


class _PoText(str):
    """A catalog's text that polib splits into lines as msgfmt does.

    polib splits text with ``str.splitlines()``, which also breaks lines at U+2028, U+2029,
    U+0085, form feed, vertical tab and U+001C-U+001E. msgfmt reads those as characters of
    a string, so a msgstr holding one lost a character ("Dosis de" + "prueba" became "Dosis
    dprueba"), or the whole catalog was rejected, and the lines of later entries shifted.
    The text-safety check then reports such a msgstr at its line [control-chars].
    """

    def splitlines(self, keepends: bool = False) -> list[str]:  # polib calls it so
        return po_lines(self)


def po_lines(text: str) -> list[str]:
    """A PO file's lines as GNU gettext counts them: split at LF only (a CRLF leaves a CR that
    polib strips); a file with only CR line ends (which msgfmt accepts) at CR."""
    return text.split("\n" if "\n" in text or "\r" not in text else "\r")


def parse_po(text: str) -> polib.POFile:
    """polib's reading of a catalog's text, with lines split as msgfmt splits them."""
    return polib.pofile(_PoText(text))


def decode_po(raw: bytes) -> str:
    return raw.decode(_charset(raw)).lstrip("\ufeff")


def to_utf8(raw: bytes, rel: str) -> bytes:
    """A translator's PO as UTF-8 with LF line ends, for merging: BOMs (some Windows editors),
    CRLF (Poedit on Windows) and legacy charsets (CP1251, ISO-8859-1...) are converted without
    loss, since UTF-8 holds every character they can."""
    charset = _charset(raw)
    text = _decode(raw, rel).replace("\r\n", "\n")
    if charset.lower() not in ("utf-8", "utf-8-sig"):
        text = re.sub(r"charset=[A-Za-z0-9_-]+", "charset=UTF-8", text, count=1)
    return text.encode("utf-8")


def _decode(raw: bytes, rel: str) -> str:
    """``decode_po``, with a ContentError at the line of the bad byte or of the charset."""
    try:
        return decode_po(raw)
    except LookupError:
        m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
        line = raw[: m.start()].count(b"\n") + 1 if m else 0
        raise ContentError(Location(rel, line), f"unknown charset '{_declared(raw)}' in the "
                           "header", "po-charset") from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(Location(rel, line), f"not valid {_declared(raw)}: {exc.reason}",
                           "po-charset") from None


def _declared(raw: bytes) -> str:
    """The charset as the header names it (UTF-8 when it names none)."""
    m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
    name = m.group(1).decode() if m else "UTF-8"
    return "UTF-8" if name.lower() == "charset" else name


def _charset(raw: bytes) -> str:
    m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
    name = m.group(1).decode() if m else "utf-8"
    return "utf-8-sig" if name.lower() in ("utf-8", "charset") else name


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
            lines = done.stderr.decode("utf-8", "replace").splitlines()
            for line in lines:
                m = re.match(r"^<stdin>:(\d+):(?:\d+:)?\s*(.+)$", line)
                if m and not m.group(2).startswith("warning:"):
                    number, message = int(m.group(1)), m.group(2)
                    if message == "end-of-line within string":
                        number -= 1  # msgfmt counts the newline it stopped at
                    raise ContentError(Location(rel, number), f"PO syntax: {message}",
                                       "po-syntax")
            raise ContentError(Location(rel), "PO syntax: " + " ".join(
                " ".join(lines).replace("<stdin>", rel).split())[:300], "po-syntax")
    return read_catalog(path, rel)
