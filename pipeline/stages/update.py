"""Update stage: ``locales/<slug>.pot`` -> ``locales/<ll>/LC_MESSAGES/<slug>.po``.

GNU ``msgmerge --previous`` does the merge (see catalogs.py); then the locale's translation
memory pre-fills new and changed entries (memory_fill.py). The result replaces the PO only
when its bytes differ, through an atomic rename; a PO that cannot be parsed is left untouched.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import polib

from pipeline.catalogs import po_writer
from pipeline.catalogs import (NEW_PO_COMMENTS, ensure_header, has_header, msgmerge,
                               new_po_fields, new_po_header, revision_date, to_utf8)
from pipeline.fsutil import write_bytes_atomic
from pipeline.locales import locale_info
from pipeline.model import Location, UpdateResult
from pipeline.report import ContentError
from pipeline.state import bytes_fingerprint
from pipeline.stages.memory import Memory
from pipeline.stages.memory_fill import fill_catalog
from pipeline.ui import UI_DOMAIN, po_path_for  # noqa: F401  (commands import it here)


def merged_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str, project: str,
                   pot: bytes | None = None) -> tuple[bytes, bool]:
    """The bytes the PO should hold after merging, and whether it is new; ``pot`` is the
    template's content when the caller has read it already."""
    if not po_path.exists():
        return new_catalog(pot_path, po_rel, locale, project, pot), True
    info = locale_info(locale)
    try:
        old = po_path.read_bytes()
    except OSError as exc:
        raise ContentError(Location(po_rel), f"cannot read: {exc.strerror}",
                           "unreadable") from exc
    old = to_utf8(old, po_rel)
    if not has_header(old):
        # Without a header msgfmt rejects the file. Appended, not prepended, so that
        # msgmerge's error lines still match the translator's file.
        old = old + b"\n" + new_po_header(locale, info.plural_forms, project,
                                          revision_date(pot_path.read_bytes()))
    old = ensure_header(old, locale, info.plural_forms)
    return msgmerge(old, pot_path, po_rel, locale), False


def new_catalog(pot_path: Path, po_rel: str, locale: str, project: str,
                pot: bytes | None = None) -> bytes:
    """A new PO, exactly as msgmerge writes it. A template that po_writer wrote is already in
    msgmerge's form, so its entries are copied under the locale's header with no msgmerge run:
    a new library has hundreds of templates times dozens of locales."""
    pot = pot_path.read_bytes() if pot is None else pot
    copied = _template_fields(pot) if po_writer.EXACT else None
    if copied is None:  # not a template we wrote (or no libunistring): let msgmerge do it
        info = locale_info(locale)
        header = ensure_header(new_po_header(locale, info.plural_forms, project,
                                             revision_date(pot)), locale, info.plural_forms)
        return msgmerge(header, pot_path, po_rel, locale)
    return _new_header(locale, project, copied) + pot[pot.index(b"\n\n") + 2:]


@lru_cache(maxsize=256)
def _new_header(locale: str, project: str, copied: tuple[tuple[str, str], ...]) -> bytes:
    info = locale_info(locale)
    revised = dict(copied)["POT-Creation-Date"]
    fields = new_po_fields(locale, info.plural_forms, project, revised, copied)
    header = po_writer.header_lines(fields, comments=NEW_PO_COMMENTS)
    return ("\n".join(header) + "\n\n").encode("utf-8")


_OUR_TEMPLATE = re.compile(
    rb'#\n#, fuzzy\nmsgid ""\nmsgstr ""\n"Project-Id-Version: [^"\n]*\\n"\n'
    rb'"Report-Msgid-Bugs-To: ([^"\\\n]*)\\n"\n"POT-Creation-Date: ([^"\\\n]*)\\n"\n'
    rb'(?:"[^"\n]*"\n)+\n')
# What po_writer never writes in a template: anything else needs msgmerge's judgement.
_NOT_OURS = re.compile(rb"^(?:#~|#\||#,|msgctxt|msgid_plural)", re.M)


@lru_cache(maxsize=1024)  # one template, read once, makes a catalog for every locale
def _template_fields(pot: bytes) -> tuple[tuple[str, str], ...] | None:
    """The header fields msgmerge copies into a new catalog, if ``pot`` is in the form
    extract writes; None otherwise."""
    head = _OUR_TEMPLATE.match(pot)
    if head is None or _NOT_OURS.search(pot, head.end()) or b"\r" in pot:
        return None
    return (("Report-Msgid-Bugs-To", head.group(1).decode("utf-8")),
            ("POT-Creation-Date", head.group(2).decode("utf-8")))


def update_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str, slug: str,
                   project: str, write: bool = True, pot: bytes | None = None,
                   memory: Memory | None = None) -> UpdateResult:
    """Merge one catalog, pre-fill it from ``memory`` (None: no memory), and write it (or,
    with ``write=False``, say what an update would change)."""
    merged, created = merged_catalog(pot_path, po_path, po_rel, locale, project, pot)
    if memory is not None and (memory or not created):
        old = None if created else to_utf8(po_path.read_bytes(), po_rel)
        merged = fill_catalog(merged, old, memory, interface=slug == UI_DOMAIN)
    if write:
        try:
            written = write_bytes_atomic(po_path, merged, durable=not created)
        except OSError as exc:
            raise ContentError(Location(po_rel), f"cannot write: {exc.strerror}",
                               "unwritable") from exc
        return UpdateResult(slug, locale, po_path, created, written, bytes_fingerprint(merged))
    if created:
        return UpdateResult(slug, locale, po_path, True, True, differences=("no catalog yet",))
    old = po_path.read_bytes()
    if old == merged:
        return UpdateResult(slug, locale, po_path, False, False)
    return UpdateResult(slug, locale, po_path, False, True,
                        differences=content_differences(to_utf8(old, po_rel), merged))


def _entry_content(entry: polib.POEntry) -> tuple:
    return (entry.msgid_plural, entry.msgstr, tuple(sorted(entry.msgstr_plural.items())),
            tuple(sorted(entry.flags)), entry.previous_msgctxt, entry.previous_msgid,
            entry.previous_msgid_plural, tuple(entry.occurrences), entry.comment,
            entry.tcomment)


def _entries(po: bytes) -> tuple[dict, dict]:
    parsed = polib.pofile(po.decode("utf-8").lstrip("\ufeff"))
    entries = {(e.msgctxt, e.msgid, e.obsolete): _entry_content(e) for e in parsed}
    return parsed.metadata, entries


def content_differences(old: bytes, merged: bytes) -> tuple[str, ...]:
    """What a merge changes in a catalog's content: header fields, entries added, made
    obsolete or changed (translations, flags, previous msgids, comments, references). Empty
    when only the form differs: polib's or Weblate's wrapping, CRLF line ends, field order."""
    old_meta, old_entries = _entries(old)
    new_meta, new_entries = _entries(merged)
    found = []
    fields = sorted(k for k in old_meta.keys() | new_meta.keys()
                    if old_meta.get(k) != new_meta.get(k))
    if fields:
        found.append("header " + ", ".join(fields))
    for label, keys in (
            ("new", [k for k in new_entries if not k[2] and (k[0], k[1], False) not in old_entries]),
            ("no longer in the template", [k for k in old_entries if not k[2]
                                           and (k[0], k[1], False) not in new_entries]),
            ("changed", [k for k in new_entries if k in old_entries
                         and new_entries[k] != old_entries[k]])):
        if keys:
            found.append(f"{len(keys)} {label} ({_quote(keys[0][1])}"
                         f"{', ...' if len(keys) > 1 else ''})")
    return tuple(found)


def _quote(msgid: str) -> str:
    return "'" + (msgid if len(msgid) <= 40 else msgid[:39] + "…") + "'"
