"""A source's YAML front matter, read at the door: small, without aliases, keys checked.

Front matter is a handful of ``key: value`` lines. YAML can say much more, and some of it is
dangerous in a file from someone else: an alias bomb (anchors that repeat each other) made a
few hundred bytes take 35 s and end in MemoryError. Anchors and aliases are therefore refused,
and so is a block larger than any real front matter.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.confine import safe_locale_code
from pipeline.locales import is_valid
from pipeline.model import Location
from pipeline.report import ContentError, Reporter

FRONT_KEYS = {"title", "subtitle", "lang", "author", "reviewed", "notes"}
# The sample's front matter is 400 bytes; an import's, with its notes, a few kB.
MAX_FRONT_MATTER = 64 * 1024  # characters


@dataclass(frozen=True)
class FrontMatter:
    meta: dict
    lines: dict[str, int]  # key -> line in the source
    body: str
    offset: int  # number of lines before the body

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def split_front_matter(text: str, rel: str) -> FrontMatter:
    """Split a source into its checked front matter and its Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(Location(rel, 1), "missing YAML front matter (a '---' line, "
                           "'title: ...', and a closing '---')", "front-matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ContentError(Location(rel, 1), "front matter is not closed by '---'",
                           "front-matter") from None
    block = "\n".join(lines[1:end])
    if len(block) > MAX_FRONT_MATTER:
        raise ContentError(Location(rel, 1), f"front matter is {len(block):,} characters; "
                           f"at most {MAX_FRONT_MATTER:,} are read", "front-matter")
    meta = _load_yaml(block, rel)
    key_lines = {}
    for number, line in enumerate(lines[1:end], 2):
        if m := re.match(r"^([A-Za-z_][\w-]*)\s*:", line):
            key_lines.setdefault(m.group(1), number)
    return FrontMatter(meta, key_lines, "\n".join(lines[end + 1:]), end + 1)


def _load_yaml(block: str, rel: str) -> dict:
    import yaml

    # libyaml's loader when PyYAML has it (its wheels do): 6x faster, same safe subset.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # The events first (cheap, in C): an alias is refused before it can be expanded.
        for event in yaml.parse(block, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                kind = "aliases (*name)" if isinstance(event, yaml.AliasEvent) else \
                    "anchors (&name)"
                raise ContentError(Location(rel, event.start_mark.line + 2),
                                   f"YAML front matter: {kind} are not allowed; write the "
                                   "value out", "front-matter")
        meta = yaml.load(block, Loader=loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(Location(rel, line), f"YAML front matter: {problem}",
                           "front-matter") from exc
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors raise these for values like 2013-02-30 and give no line.
        raise ContentError(Location(rel, 1), f"YAML front matter: a value cannot be read "
                           f"({exc})", "front-matter") from exc
    if not isinstance(meta, dict):
        raise ContentError(Location(rel, 2), "front matter must be 'key: value' lines",
                           "front-matter")
    return meta


def checked_meta(front: FrontMatter, rel: str, default_lang: str,
                 reporter: Reporter) -> tuple[str, str]:
    """Check the keys and values; returns (lang, reviewed date) or raises ContentError."""
    meta = front.meta
    for key in meta:
        if key not in FRONT_KEYS:
            reporter.warn(Location(rel, front.line(str(key))),
                          f"unknown front matter key '{key}' ignored", "front-matter-key")
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise ContentError(Location(rel, 1), "front matter needs a 'title'", "front-matter")
    lang = meta.get("lang") or default_lang
    # The language names output folders and <html lang>: an unknown code ("sp", or a path
    # like "../../evil") would fail the build later, or write outside output/.
    if not safe_locale_code(lang) or not is_valid(lang):
        raise ContentError(Location(rel, front.line("lang")), f"'lang' must be a known "
                           f"language code like en, es or zh_Hans, not '{lang}'",
                           "front-matter")
    reviewed = meta.get("reviewed", "")
    if isinstance(reviewed, (dt.date, dt.datetime)):
        reviewed = reviewed.isoformat()[:10]
    elif reviewed and not _is_date(str(reviewed)):
        raise ContentError(Location(rel, front.line("reviewed")),
                           f"'reviewed' must be a date like 2013-08-07, not '{reviewed}'",
                           "front-matter")
    return lang, str(reviewed or "")


def _is_date(text: str) -> bool:
    """A real calendar date written as YYYY-MM-DD (pages format it; 2013-02-30 would fail)."""
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
