"""Update stage: ``locales/<slug>.pot`` -> ``locales/<ll>/LC_MESSAGES/<slug>.po``.

GNU ``msgmerge --previous`` does the merge (see catalogs.py). The result replaces the PO only
when its bytes differ, through an atomic rename; a PO that cannot be parsed is left untouched.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from pipeline.catalogs import (TemplateEntry, ensure_header, has_header, msgmerge,
                               new_po_header, render_pot, to_utf8)
from pipeline.fsutil import write_bytes_atomic
from pipeline.locales import locale_info
from pipeline.model import Location, UpdateResult
from pipeline.report import ContentError


def po_path_for(locales_dir: Path, locale: str, slug: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{slug}.po"


def merged_catalog(pot_path: Path, po_path: Path, po_rel: str, locale: str,
                   project: str) -> tuple[bytes, bool]:
    """The bytes the PO should hold after merging, and whether it is new."""
    if not po_path.exists():
        return new_catalog(pot_path, po_rel, locale, project), True
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
        old = old + b"\n" + new_po_header(locale, info.plural_forms, project)
    old = ensure_header(old, locale, info.plural_forms)
    return msgmerge(old, pot_path, po_rel, locale), False


def new_catalog(pot_path: Path, po_rel: str, locale: str, project: str) -> bytes:
    """A new PO, exactly as msgmerge writes it, with one msgmerge per template instead of one
    per template and locale: the entries of a new catalog are the same in every locale, only
    the header differs (a new library has thousands of catalogs)."""
    pot = pot_path.read_bytes()
    date = re.search(rb'"POT-Creation-Date: ([^"\\]*)\\n"', pot[:4000])
    if date is None:  # not a template we wrote: let msgmerge do all of it
        info = locale_info(locale)
        header = ensure_header(new_po_header(locale, info.plural_forms, project), locale,
                               info.plural_forms)
        return msgmerge(header, pot_path, po_rel, locale)
    header = _merged_header(locale, project).replace(_PLACEHOLDER_DATE,
                                                     date.group(1).decode("utf-8"))
    return header.encode("utf-8") + _merged_entries(pot_path, hashlib.sha1(pot).hexdigest(),
                                                    project)


_PLACEHOLDER_DATE = "2000-01-01 00:00+0000"


def _split_header(po: bytes) -> tuple[bytes, bytes]:
    end = po.find(b"\n\n")
    return (po, b"") if end < 0 else (po[: end + 2], po[end + 2:])


@lru_cache(maxsize=None)
def _merged_header(locale: str, project: str) -> str:
    """The header msgmerge writes for a new catalog of this locale (wrapping included)."""
    info = locale_info(locale)
    header = ensure_header(new_po_header(locale, info.plural_forms, project), locale,
                           info.plural_forms)
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "one.pot"  # msgmerge writes nothing for a template without entries
        pot.write_text(render_pot([TemplateEntry("x", (), ())], project, _PLACEHOLDER_DATE),
                       encoding="utf-8")
        merged = msgmerge(header, pot, "(new catalog)", locale)
    return _split_header(merged)[0].decode("utf-8")


@lru_cache(maxsize=4096)
def _merged_entries(pot_path: Path, digest: str, project: str) -> bytes:
    """A new catalog's entries (after the header) as msgmerge writes them; ``digest`` keys
    the cache to the template's content."""
    header = new_po_header("en", "nplurals=2; plural=(n != 1);", project)
    return _split_header(msgmerge(header, pot_path, str(pot_path), "en"))[1]


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
