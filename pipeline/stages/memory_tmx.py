"""TMX files as translation memory (Translate Toolkit reads them): the units whose source is
English and that have a segment in the locale's language."""
from __future__ import annotations

from pipeline.stages.memory_po import role_of


def _language(tag: str | None) -> str:
    return (tag or "").replace("_", "-").lower()


def _tmx_date(value: str | None) -> str:
    """A TMX date (``20250301T101010Z``, always UTC) as ``YYYYMMDDTHHMMSS``."""
    value = (value or "").strip().rstrip("Zz")
    return value if len(value) == 15 and value[8] == "T" and value.replace("T", "").isdigit() \
        else ""


def read_tmx(data: bytes, locale: str):
    """(units, problem): units as (msgid, msgstr, role, line, date); a file that is not
    well-formed XML gives no units and the line of its first error."""
    from lxml import etree
    from translate.misc.xml_helpers import getXMLlang
    from translate.storage import tmx

    try:
        store = tmx.tmxfile.parsestring(data)
    except etree.XMLSyntaxError as exc:
        return (), (exc.lineno or 0, f"not well-formed TMX: {exc.msg}")
    except Exception as exc:  # the toolkit's own complaints (no body...)
        return (), (0, f"not a TMX file: {exc}")
    header = store.document.getroot().find("header")
    default_date = _tmx_date(header.get("creationdate") if header is not None else None)
    wanted = _language(locale)
    units = []
    for unit in store.units:
        texts = {}
        for node in unit.getlanguageNodes():
            texts.setdefault(_language(getXMLlang(node)), unit.getNodeText(node) or "")
        source = next((t for lang, t in texts.items() if lang.split("-")[0] == "en"), "")
        target = texts.get(wanted, "")
        if not target and "-" not in wanted:  # "es" takes es-ES, es-MX...: the first by tag
            target = next((t for lang, t in sorted(texts.items())
                           if lang.split("-")[0] == wanted), "")
        if not source or not target:
            continue
        element = unit.xmlelement
        date = _tmx_date(element.get("changedate") or element.get("creationdate")) \
            or default_date
        role = role_of(tuple(unit.getnotes().split("\n")) if unit.getnotes() else ())
        units.append((source, target, role, element.sourceline or 0, date))
    return tuple(units), None
