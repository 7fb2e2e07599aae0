"""Library-wide consistency in one locale: the same source sentence translated two ways in
the library's catalogs [consistency], and, where the locale has no glossary to say how a term
is translated, short glossary-like msgids (1-4 words: headings, list items, labels) whose
translations differ [terms]. Both places are named: the later one is the issue's location,
the earlier one (``path:line``) is in its message.

One pass over entries already read (`check`'s catalogs, the build's localized pages), in
(path, line) order, so the first place is the same whichever command reports it.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Mapping, NamedTuple

from pipeline.catalogs import Catalog
from pipeline.inline import to_plain
from pipeline.model import Issue, LocalizedArticle, Location, Severity, Status
from pipeline.textsafety import visible

TERM_WORDS = 4  # a msgid of at most this many words is a term
# Punctuation around a term that does not make it another term ("Symptoms:", "(Fever)").
_EDGES = " \t.,:;!?()[]\"'«»“”‘’¿¡。，：；！？、؟،"


class Entry(NamedTuple):
    """One translated, non-fuzzy msgid of a locale, where its msgstr stands (a tuple: the
    build keeps a library's worth of them, see checks_library.py)."""

    rel: str
    line: int
    msgid: str
    msgstr: str


def catalog_entries(catalogs: Iterable[Catalog]) -> list[Entry]:
    """The translated, non-fuzzy entries of ``catalogs`` in (path, line) order."""
    return [Entry(catalog.rel, t.line, msgid, t.msgstr)
            for catalog in sorted(catalogs, key=lambda c: c.rel)
            for msgid, t in sorted(catalog.entries.items(), key=lambda kv: kv[1].line)
            if t.msgstr and not t.fuzzy]


def page_entries(pages: Iterable[LocalizedArticle]) -> list[Entry]:
    """The same from localized pages: the published text, and the msgstr of a segment that
    failed a check (still a translation, though not shown); one per PO line."""
    found: dict[tuple[str, int], Entry] = {}
    for page in pages:
        for segment in page.segments:
            if segment.status is Status.TRANSLATED:
                text = segment.text
            elif segment.status is Status.INVALID and segment.proposed:
                text = segment.proposed
            else:
                continue
            found.setdefault((page.po_path, segment.po_line),
                             Entry(page.po_path, segment.po_line, segment.source.text, text))
    return [found[key] for key in sorted(found)]


def consistency_issues(entries: Iterable[Entry], severity: Mapping[str, str],
                       terms: bool = True) -> Iterator[Issue]:
    """Issues for each entry translated otherwise than the first of its msgid (and, with
    ``terms``, of its term); ``entries`` in (path, line) order, plain tuples will do."""
    sentences: dict[str, tuple] = {}
    firsts: dict[str, tuple] = {}
    levels = {code: severity.get(code, "warning") for code in ("consistency", "terms")}
    terms = terms and levels["terms"] != "off"
    for entry in entries:
        msgid, msgstr = entry[2], entry[3]
        first = sentences.setdefault(msgid, entry)
        if first is not entry:  # the same text again: most often the same translation
            if first[3] != msgstr and _same(first[3]) != _same(msgstr) \
                    and levels["consistency"] != "off":
                yield _issue(Entry(*entry), Entry(*first), "consistency", levels["consistency"])
            continue
        key = _term(msgid) if terms else None
        if key is None:
            continue
        first = firsts.setdefault(key, entry)
        if first is not entry and _term(first[3], 0) != _term(msgstr, 0):
            yield _issue(Entry(*entry), Entry(*first), "terms", levels["terms"])


def _same(text: str) -> str:
    """A translation as compared: white space is the whitespace checks' business."""
    return " ".join(text.split())


def _term(text: str, words: int = TERM_WORDS) -> str | None:
    """A short text's term: its words without markup, case or edge punctuation; None when it
    has more than ``words`` words (0: any number) or no letter."""
    if words and text.count(" ") > 2 * words:  # surely too long, without parsing it
        return None
    plain = to_plain(text) if "<" in text else " ".join(text.split())
    if words and len(plain.split()) > words:
        return None
    term = plain.strip(_EDGES).casefold()
    return term if any(char.isalpha() for char in term) else None


def _issue(entry: Entry, first: Entry, code: str, level: str) -> Issue:
    what = "the same source text" if code == "consistency" else \
        f"the term '{_short(to_plain(first.msgid))}'"
    return Issue(Location(entry.rel, entry.line), Severity(level), visible(
        f"{what} is translated differently at {first.rel}:{first.line}: "
        f"'{_short(entry.msgstr)}' here, '{_short(first.msgstr)}' there"), code)


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 1] + "…"

