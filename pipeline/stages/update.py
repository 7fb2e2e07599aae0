"""Update stage: ``locales/<slug>.pot`` -> ``locales/<ll>/LC_MESSAGES/<slug>.po``.

GNU ``msgmerge --previous`` does the merge (see catalogs.py). The result replaces the PO only
when its bytes differ, through an atomic rename; a PO that cannot be parsed is left untouched.
"""
from __future__ import annotations

from pathlib import Path

import polib

from pipeline.catalogs import decode_po, ensure_header, msgmerge, new_po_header
from pipeline.fsutil import write_bytes_atomic
from pipeline.locales import locale_info
from pipeline.model import UpdateResult


def po_path_for(locales_dir: Path, locale: str, slug: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{slug}.po"


def merged_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str,
                   project: str) -> tuple[bytes, bool]:
    """The bytes the PO should hold after merging, and whether it is new."""
    info = locale_info(locale)
    created = not po_path.exists()
    old = new_po_header(locale, info.plural_forms, project) if created else po_path.read_bytes()
    old = ensure_header(old, locale, info.plural_forms)
    return msgmerge(old, pot_path, po_rel, locale), created


def update_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str, slug: str,
                   project: str, write: bool = True) -> UpdateResult:
    merged, created = merged_catalog(pot_path, po_path, po_rel, locale, project)
    if write:
        written = write_bytes_atomic(po_path, merged)
    else:
        written = created or po_path.read_bytes() != merged
    po = polib.pofile(decode_po(merged))
    fuzzy = len(po.fuzzy_entries())
    translated = len(po.translated_entries())
    untranslated = len(po.untranslated_entries())
    return UpdateResult(slug, locale, po_path, created, written, translated, fuzzy, untranslated)
