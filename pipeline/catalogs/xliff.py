"""XLIFF 1.2 for translators whose CAT tools (Trados, memoQ, Phrase) do not take PO.

One ``<file>`` per catalog (``original`` is the catalog's file name, ``dermatomyositis.po``),
one ``<trans-unit>`` per entry, in Translate Toolkit's PO-in-XLIFF conventions (``po2xliff``,
``PoXliffFile``: ``po-reference`` and ``po-entry`` context groups, ``x-gettext-plurals``
groups with units ``ID[0]``, ``ID[1]``...), so its readers understand these files too. Where
its writer does not do what CAT tools need, this one differs: unit ids are a hash of
msgctxt and msgid (Translate Toolkit numbers units by position, so a re-export after an
update would shift every id), XLIFF 1.2 (not 1.1), inline tags as XLIFF inline elements
(xliff_inline.py) instead of escaped text, the PO header is not a unit to translate, and
the states are the ones CAT tools map: ``translated``, fuzzy as ``needs-review-translation``
(with the previous msgid as an ``alt-trans`` the tool shows as a fuzzy match), untranslated
without a target.

Reading back (``read_xliff``) never trusts the file: no entities, no DTD, no network; a
broken file is a ContentError at its line. Which entries change is decided by the caller
against the catalog (xliff_po.py).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import polib
from lxml import etree

from pipeline.catalogs import xliff_inline
from pipeline.catalogs.pofile import parse_po
from pipeline.catalogs.xliff_inline import NS, fill, read
from pipeline.model import Location
from pipeline.report import ContentError

_XML = "{http://www.w3.org/XML/1998/namespace}"
# Target states a CAT tool writes for finished work; every other state (needs-review-*,
# new, x-custom...) arrives as fuzzy, so nothing unreviewed is published.
DONE_STATES = ("translated", "signed-off", "final")
_STRUCTURE = ("xliff", "file", "body", "group", "trans-unit", "context-group", "alt-trans")


def unit_id(msgctxt: str | None, msgid: str) -> str:
    """A unit's id: the same entry keeps it across exports, updates and reorderings."""
    key = msgid if msgctxt is None else f"{msgctxt}\x04{msgid}"
    return "u" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def new_document() -> etree._Element:
    root = etree.Element(_q("xliff"), nsmap={None: NS})
    root.set("version", "1.2")
    return root


def add_catalog(root: etree._Element, name: str, text: str, source_lang: str,
                target_lang: str, interface: bool = False) -> int:
    """A ``<file>`` for the catalog (its PO text) under ``root``; the number of units.
    ``interface``: the site's catalog, whose {placeholders} are protected too."""
    po = parse_po(text)
    nplurals = _nplurals(po.metadata.get("Plural-Forms", ""))
    file = etree.SubElement(root, _q("file"), {
        "original": name, "source-language": source_lang, "target-language": target_lang,
        "datatype": "po"})
    body = etree.SubElement(file, _q("body"))
    units = 0
    for entry in po:
        if entry.obsolete or (entry.msgid == "" and entry.msgctxt is None):
            continue
        braces = interface and "python-brace-format" in entry.flags
        ident = unit_id(entry.msgctxt, entry.msgid)
        if not entry.msgid_plural:
            _unit(body, ident, entry, entry.msgid, entry.msgstr, entry.previous_msgid, braces)
            units += 1
            continue
        group = etree.SubElement(body, _q("group"), {"id": ident,
                                                     "restype": "x-gettext-plurals"})
        group.set(f"{_XML}space", "preserve")
        forms = max(nplurals, len(entry.msgstr_plural))
        for index in range(forms):
            _unit(group, f"{ident}[{index}]", entry,
                  entry.msgid if index == 0 else entry.msgid_plural,
                  entry.msgstr_plural.get(index, ""),
                  entry.previous_msgid if index == 0 else entry.previous_msgid_plural,
                  braces)
            units += 1
    return units


def _nplurals(plural_forms: str) -> int:
    m = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(m.group(1)) if m else 2


def _unit(parent: etree._Element, ident: str, entry: polib.POEntry, source: str,
          target: str, previous: str | None, braces: bool) -> None:
    fuzzy = "fuzzy" in entry.flags
    # approved as po2xliff sets it (Translate Toolkit's readers take a unit without it
    # as fuzzy); the state is what CAT tools show, and what import reads first.
    unit = etree.SubElement(parent, _q("trans-unit"), {
        "id": ident, "approved": "yes" if target and not fuzzy else "no"})
    unit.set(f"{_XML}space", "preserve")
    fill(etree.SubElement(unit, _q("source")), source, braces)
    if target:
        element = etree.SubElement(unit, _q("target"), {
            "state": "needs-review-translation" if fuzzy else "translated"})
        fill(element, target, braces)
        if fuzzy and previous:
            alt = etree.SubElement(unit, _q("alt-trans"), {"origin": "previous-msgid"})
            fill(etree.SubElement(alt, _q("source")), previous, braces)
            fill(etree.SubElement(alt, _q("target")), target, braces)
    for origin, note in (("developer", entry.comment), ("po-translator", entry.tcomment)):
        if note:
            etree.SubElement(unit, _q("note"), {"from": origin}).text = _xml_safe(note)
    for path, line in entry.occurrences:
        group = etree.SubElement(unit, _q("context-group"), {"name": "po-reference",
                                                             "purpose": "location"})
        _context(group, "sourcefile", path)
        if line:
            _context(group, "linenumber", line)
    extra = [("x-po-msgctxt", entry.msgctxt), ("x-po-flags", ", ".join(entry.flags))]
    if any(value for _, value in extra):
        group = etree.SubElement(unit, _q("context-group"), {"name": "po-entry",
                                                             "purpose": "information"})
        for kind, value in extra:
            if value:
                _context(group, kind, value)


def _context(group: etree._Element, kind: str, value: str) -> None:
    etree.SubElement(group, _q("context"), {"context-type": kind}).text = _xml_safe(value)


def _xml_safe(text: str) -> str:
    """Notes are for reading: characters XML cannot hold become U+FFFD."""
    return xliff_inline._NOT_XML.sub("\ufffd", text)


def serialize(root: etree._Element) -> bytes:
    """The document, indented between structural elements only: white space inside
    <source>, <target> and <note> is content."""
    _indent(root, 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _indent(element: etree._Element, level: int) -> None:
    children = [c for c in element if isinstance(c.tag, str)]
    if not children or etree.QName(element).localname not in _STRUCTURE:
        return
    element.text = "\n" + "  " * (level + 1)
    for child in children:
        _indent(child, level + 1)
        child.tail = "\n" + "  " * (level + 1)
    children[-1].tail = "\n" + "  " * level


@dataclass(frozen=True)
class XliffFile:
    """One ``<file>`` of an XLIFF document: the catalog it names, its target language."""

    original: str
    target_language: str
    line: int


@dataclass(frozen=True)
class XliffTarget:
    """A unit's target as read back. ``form`` is the plural form (None for a singular
    entry); ``text`` is None when the unit has no target or an empty one."""

    file: XliffFile
    unit: str
    form: int | None
    text: str | None
    fuzzy: bool
    line: int
    source: str
    problems: tuple[str, ...] = ()


def read_xliff(data: bytes, rel: str) -> tuple[list[XliffFile], list[XliffTarget]]:
    """The files and targets of an XLIFF 1.x document; ContentError (with the line) when
    it is not well-formed XML or not XLIFF 1.x."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        message = re.sub(r"(,? line \d+)+(, column \d+)?$", "",  # libxml2 names it twice
                         (exc.msg or "not well-formed").strip())
        raise ContentError(Location(rel, line), f"broken XML: {message}",
                           "xliff-syntax") from None
    ns = etree.QName(root).namespace or ""
    version = root.get("version", "")
    if etree.QName(root).localname != "xliff" or (
            ns and not ns.startswith("urn:oasis:names:tc:xliff:document:1.")):
        found = "XLIFF 2" if ns.endswith(":2.0") or version.startswith("2") else \
            f"<{etree.QName(root).localname}>"
        raise ContentError(Location(rel, root.sourceline or 1), f"not XLIFF 1.2 ({found}); "
                           "export-xliff writes XLIFF 1.2: have the CAT tool save the "
                           "translated file in the format it received", "xliff-format")
    name = (lambda local: f"{{{ns}}}{local}") if ns else (lambda local: local)
    files, targets = [], []
    for file in root.iter(name("file")):
        section = XliffFile(file.get("original", ""), file.get("target-language", ""),
                            file.sourceline or 0)
        files.append(section)
        for unit in file.iter(name("trans-unit")):
            if unit.get("translate") != "no":
                targets.append(_target(unit, section, name))
    return files, targets


_FORM = re.compile(r"^(.*)\[(\d+)\]$")


def _target(unit: etree._Element, section: XliffFile, name) -> XliffTarget:
    ident = unit.get("id", "")
    form = None
    parent = unit.getparent()
    plural = (parent is not None and parent.get("restype") == "x-gettext-plurals")
    if plural and (m := _FORM.match(ident)):
        ident, form = m.group(1), int(m.group(2))
    source_element = unit.find(name("source"))
    target_element = unit.find(name("target"))
    problems: list[str] = []
    text = read(target_element, problems) if target_element is not None else ""
    state = target_element.get("state") if target_element is not None else None
    fuzzy = (state not in DONE_STATES) if state else unit.get("approved") == "no"
    line = (target_element if target_element is not None else unit).sourceline or 0
    source = read(source_element) if source_element is not None else ""
    return XliffTarget(section, ident, form, text or None, fuzzy, line, source,
                       tuple(problems))
