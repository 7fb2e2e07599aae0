"""Match analysis for coordinators (``pipeline stats --analysis``): the source words of the
work left in each locale, in the bands CAT tools and agencies quote.

The job of a locale is every source string of every article (in slug order) that is not yet
published in that locale (untranslated, fuzzy or failing a check). Each string of the job
falls in the first band that holds it:

- repetitions: the same msgid came earlier in this locale's job (translated once, reused);
- exact (100%): a translated entry with the same msgid elsewhere in the locale's library or
  its memory file (the translation memory update uses, stages/memory.py);
- 95-99%, 85-94%, 75-84%, 50-74%: the best similarity to a translated msgid, by rapidfuzz's
  ``fuzz.ratio`` (normalised Indel similarity, see stages/memory.py), rounded down;
- new: nothing at 50% or more.

Words are counted as ``pipeline stats`` counts them (``pipeline.inline.word_count``: the
words of the text without its inline tags). Strings already published count as ``done``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from pipeline.inline import word_count
from pipeline.stages.memory import Memory

BANDS = ("repetitions", "exact", "fuzzy_95_99", "fuzzy_85_94", "fuzzy_75_84", "fuzzy_50_74",
         "new")
LABELS = {"repetitions": "repet.", "exact": "100%", "fuzzy_95_99": "95-99%",
          "fuzzy_85_94": "85-94%", "fuzzy_75_84": "75-84%", "fuzzy_50_74": "50-74%",
          "new": "new"}
LOWEST = 50.0
_FLOORS = ((95, "fuzzy_95_99"), (85, "fuzzy_85_94"), (75, "fuzzy_75_84"),
           (50, "fuzzy_50_74"))


@dataclass(frozen=True)
class AnalysisRow:
    """Source words of one article in one locale: all, already published, and the rest by
    band."""

    locale: str
    article: str
    words: int
    done: int
    repetitions: int
    exact: int
    fuzzy_95_99: int
    fuzzy_85_94: int
    fuzzy_75_84: int
    fuzzy_50_74: int
    new: int

    @property
    def to_translate(self) -> int:
        return self.words - self.done


def band(msgid: str, memory: Memory, seen: set[str]) -> str:
    """The band of one string of the job (``seen``: the msgids earlier in the job)."""
    if msgid in seen:
        return "repetitions"
    if msgid in memory.units:
        return "exact"
    found = memory.nearest(msgid, LOWEST)
    if found is not None:
        score = int(found[1])  # rounded down: 94.9% is not 95%
        for floor, name in _FLOORS:
            if score >= floor:
                return name
    return "new"


def analyse_locale(locale: str, articles: Iterable[tuple[str, list[tuple[str, bool]]]],
                   memory: Memory) -> list[AnalysisRow]:
    """``articles``: (slug, [(msgid, published)]) in job order; one row per article."""
    seen: set[str] = set()
    rows = []
    for slug, strings in articles:
        counts = dict.fromkeys(("words", "done", *BANDS), 0)
        for msgid, published in strings:
            words = word_count(msgid)
            counts["words"] += words
            if published:
                counts["done"] += words
                continue
            counts[band(msgid, memory, seen)] += words
            seen.add(msgid)
        rows.append(AnalysisRow(locale, slug, **counts))
    return rows


def table(rows: list[AnalysisRow]) -> str:
    """The analysis as a text table, with a total for each locale."""
    head = ["locale", "article", "words", "done", *(LABELS[b] for b in BANDS)]
    lines = [head]
    for locale in dict.fromkeys(r.locale for r in rows):
        mine = [r for r in rows if r.locale == locale]
        for r in mine:
            lines.append([r.locale, r.article, str(r.words), str(r.done),
                          *(str(getattr(r, b)) for b in BANDS)])
        lines.append([locale, "(total)", str(sum(r.words for r in mine)),
                      str(sum(r.done for r in mine)),
                      *(str(sum(getattr(r, b) for r in mine)) for b in BANDS)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.rjust(w) if i > 1 else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
                     for line in lines)
