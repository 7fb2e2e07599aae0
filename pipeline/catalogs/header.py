"""The header entry of a catalog: the fields a new catalog gets, and the two that update may
set in a translator's file (Language always, Plural-Forms only when missing), changed in place
byte for byte so msgmerge's error lines still match the translator's file."""
from __future__ import annotations

import re

from pipeline.catalogs.pofile import pot_creation_date
from pipeline.locales import locale_info


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
