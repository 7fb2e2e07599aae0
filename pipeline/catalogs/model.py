"""The catalog model: what a template entry and a translation are, whatever file held them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class TemplateEntry:
    msgid: str
    occurrences: tuple[tuple[str, int], ...]
    comments: tuple[str, ...]
    flags: tuple[str, ...] = ()  # "python-brace-format" for interface text with {fields}


@dataclass(frozen=True)
class Translation:
    msgstr: str
    fuzzy: bool
    line: int
    previous_msgid: str = ""


@dataclass(frozen=True)
class Catalog:
    """The live entries of one PO file, keyed by msgid."""

    path: Path
    rel: str
    language: str
    entries: Mapping[str, Translation]
    plural_forms: str = ""  # the header's Plural-Forms, as the translator's file has it
    plural_forms_line: int = 0
