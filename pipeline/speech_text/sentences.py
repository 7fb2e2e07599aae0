"""Sentences of a displayed text, with their spans: the unit of speech text, of synthesis and
of highlighting.

A sentence ends after . ! ? … (and closing quotes or brackets) when a space or the end of
the text follows and the next word does not start in lower case, right after 。！？ (CJK),
؟ and ۔ (Arabic script) and । (Devanagari), which need no space, and at a blank line.
A "." does not end a sentence after a title or reference abbreviation that always has
something after it ("Dr.", "p.", "Sra.", "e.g.", "Jan."; langdata), after an initial
("J. Smith"), or after a dotted word ("U.S.") unless the lexicon knows it as an
abbreviation that may close a sentence ("b.i.d.", "a.m.") and a capital follows. A decimal
("2.5") never splits: no space follows its mark. A wrong split only moves a pause; a missed
one only makes a longer sentence.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline.speech_text.langdata import rules_for
from pipeline.speech_text.model import Sentence

_END = re.compile(r"(?P<mark>[.!?…]+|[。！？؟۔।]+)[\"'”’»)\]」』）]*|\n[ \t]*\n")
_NO_SPACE_NEEDED = re.compile(r"[。！？؟۔।]")
_WORD_BEFORE = re.compile(r"(\S+)$")
_OPENERS = "(\"'“‘¿¡[«"
_MAY_END = {"a.m", "p.m", "etc", "al"}  # dotted words that often close a sentence


def split_sentences(text: str, lang: str, lexicon=None) -> tuple[Sentence, ...]:
    """The sentences of ``text`` with their spans in it. ``lexicon`` (a Lexicon) adds its
    abbreviations to the language's; without one, the built-in lexicon's are used."""
    titles, dotted = _abbreviations(lang, lexicon)
    spans, start = [], 0
    for match in _END.finditer(text):
        end = match.end()
        mark = match.group("mark")
        if mark is not None and not _NO_SPACE_NEEDED.match(mark):
            if end < len(text) and not text[end].isspace():
                continue  # "2.5", "e.g.x", a web address
            if _continues(text, match.start(), end, mark, titles, dotted):
                continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return _sentences(text, spans)


def sentence_texts(text: str, lang: str) -> list[str]:
    """The sentences as strings: what ``pipeline.tts.sentences.split_sentences`` returns,
    so this splitter can replace it."""
    return [sentence.text for sentence in split_sentences(text, lang)]


def _continues(text: str, mark_at: int, end: int, mark: str, titles: frozenset[str],
               dotted: frozenset[str]) -> bool:
    """Whether the sentence goes on after this mark."""
    following = text[end:].lstrip()
    if following[:1].islower():  # "approx. three", "(p. ej. tres)"
        return True
    if mark != ".":
        return False
    before = _WORD_BEFORE.search(text, 0, mark_at)
    word = before.group(1).lstrip(_OPENERS) if before else ""
    lower = word.lower()
    if lower in titles:  # "Dr. Smith", "p. 12", "Jan. 5"
        return True
    if "." in word:  # "e.g.", "U.S.", "b.i.d."
        may_end = lower in dotted or lower in _MAY_END
        return not (may_end and following[:1].isupper())
    if len(word) == 1 and word.isalpha() and word.isupper():  # "J. Smith", not "vitamin D."
        gap = len(text[:before.start()].rstrip())
        previous = _WORD_BEFORE.search(text, 0, gap) if gap else None
        name_before = previous is None or previous.group(1)[:1].isupper() or \
            previous.group(1).endswith(".")
        return name_before and following[:1].isupper()
    return False


@lru_cache(maxsize=64)
def _abbreviations(lang: str, lexicon) -> tuple[frozenset[str], frozenset[str]]:
    """(titles, dotted): words (lower case, without the last dot) after which a "." never
    ends a sentence, and the lexicon's dotted abbreviations that may end one."""
    rules = rules_for(lang)
    if lexicon is None:
        from pipeline.speech_text.lexicon import load_lexicon

        lexicon = load_lexicon(lang)
    dotted = set()
    for entry in lexicon.of_kind("abbreviation"):
        written = entry.written.lower().rstrip(".")
        if written and "." in written.replace(". ", "."):
            dotted.add(written.split()[-1] if " " in written else written)
    return rules.titles, frozenset(dotted)


def _sentences(text: str, spans: list[tuple[int, int]]) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    for start, end in spans:
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if not piece:
            continue
        begin = start + lead
        if out and not any(ch.isalnum() for ch in piece):  # a stray "…" or ")"
            last = out.pop()
            out.append(Sentence(last.start, begin + len(piece),
                                text[last.start:begin + len(piece)]))
        else:
            out.append(Sentence(begin, begin + len(piece), piece))
    return tuple(out)
