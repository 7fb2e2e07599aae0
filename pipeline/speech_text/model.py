"""The records of the speech-text engine: sentences of the displayed text, the text the voice
gets for one of them, and where each changed token went.

Offsets are Python string indices (code points) into the displayed plain text, the same
text the page shows: the page never changes, only what is sent to the voice does, so a review
page can mark a changed token and the player can highlight a sentence by these spans.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

Span = tuple[int, int]  # [start, end) in a string


@dataclass(frozen=True)
class Sentence:
    """One sentence of a displayed text: ``text == display[start:end]`` (no outer spaces)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Change:
    """One token the voice gets differently: ``display`` in the page's sentence text,
    ``spoken`` in the speech text, and the rule that made the change (for review pages)."""

    display: Span
    spoken: Span
    written: str
    said: str
    rule: str


@dataclass(frozen=True)
class SpokenText:
    """A sentence as displayed and as sent to the voice, with one Change per changed token,
    in text order and never overlapping; the rest of the text is copied unchanged."""

    display: str
    spoken: str
    changes: tuple[Change, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_spoken(self, pos: int) -> int:
        """The speech-text offset of display offset ``pos``: inside a changed token, the
        start of its replacement (a token is highlighted whole); elsewhere shifted by the
        length differences of the changes before it."""
        starts = [c.display[0] for c in self.changes]
        i = bisect_right(starts, pos) - 1
        if i < 0:
            return pos
        change = self.changes[i]
        if pos >= change.display[1]:
            return change.spoken[1] + pos - change.display[1]
        return change.spoken[0]

    def to_display(self, pos: int) -> int:
        """The display offset of speech-text offset ``pos`` (the inverse of to_spoken)."""
        starts = [c.spoken[0] for c in self.changes]
        i = bisect_right(starts, pos) - 1
        if i < 0:
            return pos
        change = self.changes[i]
        if pos >= change.spoken[1]:
            return change.display[1] + pos - change.spoken[1]
        return change.display[0]


@dataclass(frozen=True)
class SpokenSentence:
    """A sentence of a displayed text and its speech text."""

    sentence: Sentence
    spoken: SpokenText


class Misreading(NamedTuple):
    """A place espeak-ng will probably misread (``[speech]`` warnings); a plain
    ``(span, message)`` tuple for callers that unpack it."""

    span: Span
    message: str
