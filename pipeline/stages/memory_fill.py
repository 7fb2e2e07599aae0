"""Pre-filling a catalog from its locale's translation memory, after msgmerge.

Which entries: untranslated ones, and fuzzy ones that msgmerge has just made (their msgid was
not in the translator's file); never a translation, nor a fuzzy entry the translator's file
already had (theirs to review). What they get (memory.py decides):

- translated: the same msgid, translated one way only, in the same role (title, heading,
  paragraph, list item...), with markup that passes the publish verdict for the new source;
- fuzzy, with the memory's msgid as the previous msgid (``#|``): the same msgid in another
  role, conflicting translations (the most recent), markup that does not match, or a near
  match (similarity >= 75%). A fuzzy entry is never published, so a reviewer decides.

Each pre-filled entry says where its text came from in an extracted comment,
``#. memory: dermatomyositis.po:57``, with the reason when it is fuzzy. msgmerge takes
extracted comments from the template, so the note of an entry that still stands is carried
over from the translator's file on every later merge. Entries are rewritten in place, in GNU
gettext's exact form (po_writer), so the file stays as msgmerge would write it.
"""
from __future__ import annotations

import subprocess
from functools import lru_cache

from rapidfuzz import fuzz

from pipeline.catalogs import WRAP, po_writer
from pipeline.catalogs.gettext_tools import gettext_tool
from pipeline.stages.memory import Match, Memory
from pipeline.stages.memory_po import PoEntry, role_of, scan_po

NOTE = "memory: "
_NOTE_BYTES = b"#. " + NOTE.encode()


def fill_catalog(merged: bytes, old: bytes | None, memory: Memory,
                 interface: bool = False) -> bytes:
    """``merged`` (msgmerge's output, UTF-8) with entries pre-filled from ``memory``;
    ``old`` is the translator's file before the merge (UTF-8), None for a new catalog."""
    if not memory and (old is None or _NOTE_BYTES not in old):
        return merged
    try:
        text = merged.decode("utf-8")
        # The header entry comes first and is never filled: the rest of a new catalog is
        # its template's entries, the same in every locale, so it is read once.
        cut = text.find("\n\n") + 2 if text.startswith(("#", "msgid")) else 0
        head, text = text[:cut], text[cut:]
        entries = _scan_template(text) if old is None else scan_po(text)
        before = scan_po(old.decode("utf-8")) if old else []
    except (ValueError, UnicodeDecodeError):  # not as msgmerge writes: left as it is
        return merged
    known = {e.msgid for e in before if e.msgctxt is None}
    notes = {e.msgid: note for e in before if e.msgctxt is None
             for note in e.extracted if note.startswith(NOTE)}
    lines = text.split("\n")
    changed = False
    counts = [0, 0]
    for entry in reversed(entries):  # from the end, so earlier line numbers stay valid
        if not entry.msgid or entry.msgctxt is not None or entry.plural:
            continue
        match = _offer(entry, known, memory, interface) if memory else None
        block = lines[entry.start:entry.end]
        if match is not None:
            lines[entry.start:entry.end] = _filled(block, entry, match)
            counts[0 if match.translated else 1] += 1
        elif entry.msgid in notes and not any(n.startswith(NOTE) for n in entry.extracted):
            lines[entry.start:entry.end] = _with_note(block, notes[entry.msgid])
        else:
            continue
        changed = True
    memory.tally(*counts)
    if not changed:
        return merged
    filled = (head + "\n".join(lines)).encode("utf-8")
    return filled if po_writer.EXACT else _rewrapped(filled)


@lru_cache(maxsize=16)
def _scan_template(text: str) -> tuple[PoEntry, ...]:
    return tuple(scan_po(text))


def _offer(entry: PoEntry, known: set[str], memory: Memory, interface: bool) -> Match | None:
    """What the memory offers for an entry it may fill, or None."""
    merge_fuzzy = entry.fuzzy and bool(entry.msgstr) and entry.msgid not in known
    if entry.msgstr and not merge_fuzzy:
        return None
    match = memory.exact(entry.msgid, role_of(entry.extracted), interface) \
        or memory.near(entry.msgid)
    if match is None:
        return None
    if merge_fuzzy and not match.translated:
        # msgmerge's guess comes from this article's own earlier text: it stays unless the
        # memory's text is closer to the new source.
        if match.score <= fuzz.ratio(entry.msgid, entry.previous_msgid or ""):
            return None
    return match


def note_for(match: Match) -> str:
    return NOTE + match.unit.source + ("" if match.translated else f" ({match.reason})")


def _filled(block: list[str], entry: PoEntry, match: Match) -> list[str]:
    """An entry's lines with the memory's text: comments in GNU's order (translator's,
    extracted, references, flags, previous msgid), the msgid as it was, the new msgstr."""
    head = [line for line in block if line.startswith("#")]
    message = block[len(head):entry.msgstr_line - 1 - entry.start]
    extracted = [line for line in head if line.startswith("#.")
                 and not line[2:].strip().startswith(NOTE)]
    translator = [line for line in head if not line.startswith(("#.", "#:", "#,", "#|"))]
    flags = [flag for flag in entry.flags if flag != "fuzzy"]
    if not match.translated:
        flags.insert(0, "fuzzy")
    out = translator + extracted + [f"#. {note_for(match)}"]
    out += [line for line in head if line.startswith("#:")]
    if flags:
        out.append("#, " + ", ".join(flags))
    if not match.translated:
        out += _string_lines("msgid", match.unit.msgid, prefix="#| ")
    return out + message + list(_string_lines("msgstr", match.unit.msgstr))


@lru_cache(maxsize=4096)  # a memory's msgid is the previous msgid in every locale
def _string_lines(keyword: str, value: str, prefix: str = "") -> tuple[str, ...]:
    if po_writer.EXACT:
        return tuple(po_writer.wrap_string(keyword, value, prefix))
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t"))
    return (f'{prefix}{keyword} "{escaped}"',)  # one line; msgcat wraps it (_rewrapped)


def _with_note(block: list[str], note: str) -> list[str]:
    """An entry's lines with its memory note back after the extracted comments."""
    at = 0
    for number, line in enumerate(block):
        if line.startswith("#.") or line == "#" or line.startswith("# "):
            at = number + 1
        elif not line.startswith("#"):
            break
    return block[:at] + [f"#. {note}"] + block[at:]


def _rewrapped(po: bytes) -> bytes:
    """Without libunistring po_writer cannot wrap as GNU does: msgcat does it."""
    done = subprocess.run([gettext_tool("msgcat"), f"--width={WRAP}", "-o", "-", "-"],
                          input=po, capture_output=True)
    return done.stdout if done.returncode == 0 else po
