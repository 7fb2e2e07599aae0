"""Update stage: ``locales/<slug>.pot`` -> ``locales/<ll>/LC_MESSAGES/<slug>.po``.

GNU ``msgmerge --previous`` does the merge (see catalogs.py). The result replaces the PO only
when its bytes differ, through an atomic rename; a PO that cannot be parsed is left untouched.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.catalogs import ensure_header, has_header, msgmerge, new_po_header, to_utf8
from pipeline.fsutil import write_bytes_atomic
from pipeline.locales import locale_info
from pipeline.model import Location, UpdateResult
from pipeline.report import ContentError


def po_path_for(locales_dir: Path, locale: str, slug: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{slug}.po"


def merged_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str,
                   project: str) -> tuple[bytes, bool]:
    """The bytes the PO should hold after merging, and whether it is new."""
    info = locale_info(locale)
    created = not po_path.exists()
    header = new_po_header(locale, info.plural_forms, project)
    if created:
        old = header
    else:
        try:
            old = po_path.read_bytes()
        except OSError as exc:
            raise ContentError(Location(po_rel), f"cannot read: {exc.strerror}",
                               "unreadable") from exc
        old = to_utf8(old, po_rel)
        if not has_header(old):
            # Without a header msgfmt rejects the file. Appended, not prepended, so that
            # msgmerge's error lines still match the translator's file.
            old = old + b"\n" + header
    old = ensure_header(old, locale, info.plural_forms)
    return msgmerge(old, pot_path, po_rel, locale), created


def update_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str, slug: str,
                   project: str, write: bool = True) -> UpdateResult:
    merged, created = merged_catalog(pot_path, po_path, po_rel, locale, project)
    if write:
        try:
            written = write_bytes_atomic(po_path, merged)
        except OSError as exc:
            raise ContentError(Location(po_rel), f"cannot write: {exc.strerror}",
                               "unwritable") from exc
    else:
        written = created or po_path.read_bytes() != merged
    return UpdateResult(slug, locale, po_path, created, written)
