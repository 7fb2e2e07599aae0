"""An XLIFF file's targets matched to a catalog's entries by unit id (xliff.unit_id): which
entries change, and the catalog's new text (xliff_po.py writes only what changed).

Only msgstr and the fuzzy state are taken from the XLIFF; msgids, comments and entries the
catalog does not have are never taken. A unit without a target (or with an empty one) leaves
its entry alone: a CAT tool that returns an unfinished file must not erase translations.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.catalogs.pofile import po_lines
from pipeline.catalogs.xliff import XliffTarget, unit_id
from pipeline.catalogs.xliff_po import Entry, entries, rewrite, splice
from pipeline.model import Issue, Location, Severity


@dataclass(frozen=True)
class Merged:
    text: str
    changed: tuple[tuple[str | None, str, bool], ...]  # (msgctxt, msgid, fuzzy) in file order
    unchanged: int
    empty: int
    unknown: int
    issues: tuple[Issue, ...]


def merge(text: str, catalog: str, targets: list[XliffTarget], xliff_rel: str) -> Merged:
    """``text`` (a PO file's) with ``targets`` (one XLIFF <file>'s) put in."""
    lines = po_lines(text)
    by_id = {unit_id(e.value("msgctxt"), e.value("msgid") or ""): e for e in entries(lines)}
    pending: dict[int, tuple[Entry, list[str | None], bool]] = {}
    issues: list[Issue] = []
    empty = unknown = 0
    for target in targets:
        where = Location(xliff_rel, target.line)
        entry = by_id.get(target.unit)
        if entry is None or (target.form is None) == ("msgid_plural" in entry.spans):
            unknown += 1
            issues.append(Issue(where, Severity.WARNING, f"unit '{target.unit}' "
                                f"({_short(target.source)}) matches no entry of {catalog} "
                                "(its source changed or it was removed); not imported",
                                "xliff-unknown"))
            continue
        for problem in target.problems:
            issues.append(Issue(where, Severity.WARNING, problem, "xliff-tag"))
        expected = entry.value("msgid_plural" if target.form else "msgid") or ""
        if target.source and target.source != expected:
            issues.append(Issue(where, Severity.WARNING, "the unit's source text was "
                                "edited in the XLIFF; its target was imported for the "
                                f"catalog's msgid ({_short(expected)})", "xliff-source"))
        if target.text is None:
            empty += 1
            continue
        _, forms, fuzzy = pending.get(entry.start, (entry, [None] * len(entry.forms), False))
        index = target.form or 0
        forms += [None] * (index + 1 - len(forms))
        forms[index] = target.text
        pending[entry.start] = (entry, forms, fuzzy or target.fuzzy)
    changes, changed, unchanged = [], [], 0
    for entry, forms, fuzzy in sorted(pending.values(), key=lambda p: p[0].start):
        old = entry.forms
        new = [form if form is not None else (old[i] if i < len(old) else "")
               for i, form in enumerate(forms)]
        new += old[len(new):]
        if new == old and fuzzy == ("fuzzy" in entry.flags(lines)):
            unchanged += 1
            continue
        changes.append((entry, rewrite(lines, entry, new, fuzzy)))
        changed.append((entry.value("msgctxt"), entry.value("msgid") or "", fuzzy))
    newline = "\n" if "\n" in text or "\r" not in text else "\r"  # as po_lines split it
    result = newline.join(splice(lines, changes)) if changes else text
    return Merged(result, tuple(changed), unchanged, empty, unknown, tuple(issues))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text[:50]}…'" if len(text) > 50 else f"'{text}'"
