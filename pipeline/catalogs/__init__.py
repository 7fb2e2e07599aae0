"""Gettext catalogs, split as Babel's ``messages/`` is: the model (model.py), PO/POT files
(pofile.py: charset detection, reading, the GNU-exact template writer in po_writer.py), the
header entry (header.py) and GNU gettext's tools (gettext_tools.py: msgmerge, msgfmt).

GNU ``msgmerge --previous`` merges, because it is what translators' tools assume; Babel's
update loses data (see DESIGN.md). polib reads catalogs. The names below are the package's
public API, re-exported so callers need not know which module holds each.
"""
from pipeline.catalogs.gettext_tools import msgfmt_check, msgmerge, read_checked_catalog
from pipeline.catalogs.header import (NEW_PO_COMMENTS, ensure_header, has_header,
                                      new_po_fields, new_po_header, revision_date)
from pipeline.catalogs.model import Catalog, TemplateEntry, Translation
from pipeline.catalogs.pofile import (WRAP, decode_po, parse_po, po_lines, pot_creation_date,
                                      read_catalog, render_pot, same_except_date, to_utf8)

__all__ = ["Catalog", "NEW_PO_COMMENTS", "TemplateEntry", "Translation", "WRAP", "decode_po",
           "ensure_header", "has_header", "msgfmt_check", "msgmerge", "new_po_fields",
           "new_po_header", "parse_po", "po_lines", "pot_creation_date", "read_catalog",
           "read_checked_catalog", "render_pot", "revision_date", "same_except_date",
           "to_utf8"]
