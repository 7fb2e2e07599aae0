"""The UPPERCASE pseudo-locale (``en@pseudo``), for tests only.

Every msgstr is its msgid in capitals, with the inline tags (``<em>``, ``<a1>``, ``<br/>``...),
``{placeholders}`` and anything else that looks like markup or an entity kept byte for byte, so
each pseudo translation passes the build's checks. A page built in this locale shows every
translated string in capitals: lower-case text in it is a string that escaped translation.
"""
from __future__ import annotations

import re
from pathlib import Path

import polib

from pipeline.catalogs import WRAP, msgfmt_check
from pipeline.inline import _TAG
from pipeline.locales import PSEUDO, locale_info

# Inline tags first (the tag language), then placeholders, markup look-alikes and entities.
_KEEP = re.compile(rf"{_TAG.pattern}|\{{[^{{}}]*\}}|<[^<>]*>|&#?\w+;")


def pseudo_text(msgid: str) -> str:
    """``"Read <a1>the guide</a1> by {author}"`` -> ``"READ <a1>THE GUIDE</a1> BY {author}"``."""
    out, pos = [], 0
    for m in _KEEP.finditer(msgid):
        out.append(msgid[pos:m.start()].upper())
        out.append(m.group(0))
        pos = m.end()
    out.append(msgid[pos:].upper())
    return "".join(out)


def pseudo_catalog(pot: polib.POFile) -> polib.POFile:
    info = locale_info(PSEUDO)
    po = polib.POFile(wrapwidth=WRAP)
    po.metadata = dict(pot.metadata)
    po.metadata.update({
        "PO-Revision-Date": pot.metadata.get("POT-Creation-Date", ""),
        "Last-Translator": "pipeline.pseudo <tests@localhost>",
        "Language-Team": "Pseudo-English (tests)",
        "Language": PSEUDO,
        "Plural-Forms": info.plural_forms,
    })
    for entry in pot:
        if entry.obsolete:
            continue
        new = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt,
                            occurrences=list(entry.occurrences), comment=entry.comment,
                            tcomment=entry.tcomment,
                            flags=[f for f in entry.flags if f != "fuzzy"])
        if entry.msgid_plural:
            new.msgid_plural = entry.msgid_plural
            count = int(re.search(r"nplurals\s*=\s*(\d+)", info.plural_forms).group(1))
            new.msgstr_plural = {i: pseudo_text(entry.msgid if i == 0 else entry.msgid_plural)
                                 for i in range(count)}
        else:
            new.msgstr = pseudo_text(entry.msgid)
        po.append(new)
    return po


def write_pseudo_catalog(pot_path: Path, po_path: Path) -> Path:
    """Write the pseudo PO for one POT and check it with ``msgfmt --check``.

    Raises ``ContentError`` (naming the file and line) if GNU gettext rejects the result.
    """
    pot_path, po_path = Path(pot_path), Path(po_path)
    po = pseudo_catalog(polib.pofile(str(pot_path), wrapwidth=WRAP))
    po_path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(po_path))
    msgfmt_check(po_path, str(po_path))
    return po_path


def write_pseudo_catalogs(locales_dir: Path) -> list[Path]:
    """A pseudo PO for every POT in ``locales_dir`` (articles and the ``_site`` UI catalog)."""
    locales_dir = Path(locales_dir)
    return [write_pseudo_catalog(pot, locales_dir / PSEUDO / "LC_MESSAGES" / f"{pot.stem}.po")
            for pot in sorted(locales_dir.glob("*.pot"))]
