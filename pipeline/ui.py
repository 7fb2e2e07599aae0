"""Site chrome messages ("Skip to main content", player labels...): one shared catalog.

The messages are extracted from the page templates into ``locales/_site.pot``; each locale
translates them in ``locales/<ll>/LC_MESSAGES/_site.po`` like any article. The leading
underscore keeps the name apart from article slugs, which cannot start with one.
"""
from __future__ import annotations

import gettext
from pathlib import Path
from typing import Mapping

import re

from pipeline.catalogs import Catalog, TemplateEntry
from pipeline.checks import Checker
from pipeline.checks_style import brace_format
from pipeline.model import Location
from pipeline.verdict import Verdict, publish_verdict
from pipeline.resources import PACKAGE_TEMPLATES

UI_DOMAIN = "_site"
_CALL = re.compile(r"""\b_a?\(\s*(["'])(.+?)\1""")

# Messages the build passes to templates from Python code (build summary lines on pages).
CODE_MESSAGES = (
    "Audio is not available in this language yet.",
    "Some audio could not be made for this page.",
)


def ui_template_entries() -> list[TemplateEntry]:
    found: dict[str, list[tuple[str, int]]] = {}
    for template in sorted(PACKAGE_TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        # Jinja's own extractor skips calls with keyword arguments, which ours need.
        for m in _CALL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(m.group(2), []).append((f"pipeline/templates/{template.name}",
                                                     line))
    for message in CODE_MESSAGES:
        found.setdefault(message, []).append(("pipeline/ui.py", 0))
    entries = []
    for message, places in found.items():
        comments = ["Site interface text, shown on every page."]
        if "{" in message:
            comments.append("Keep the {placeholders} exactly; they are filled in by the build.")
        # The flag lets GNU msgfmt --check, msgmerge, Poedit and Weblate check them too.
        flags = ("python-brace-format",) if brace_format(message) else ()
        entries.append(TemplateEntry(message, tuple(places), tuple(comments), flags))
    return entries


class CatalogTranslations(gettext.NullTranslations):
    """gettext over the interface entries the publish verdict accepted (``published``)."""

    def __init__(self, published: Mapping[str, str] | None = None):
        super().__init__()
        self._messages = dict(published or {})

    def gettext(self, message: str) -> str:
        return self._messages.get(message, message)


def ui_verdict(catalog: Catalog, msgid: str, checker: Checker | None) -> Verdict:
    entry = catalog.entries.get(msgid)
    where = Location(catalog.rel, entry.line if entry else 0)
    return publish_verdict(msgid, entry, where, checker, interface=True)


def ui_po_path(locales_dir: Path, locale: str) -> Path:
    return po_path_for(locales_dir, locale, UI_DOMAIN)


def po_path_for(locales_dir: Path, locale: str, slug: str) -> Path:
    """Where a locale's catalog of an article (or of the interface) lives."""
    return locales_dir / locale / "LC_MESSAGES" / f"{slug}.po"
