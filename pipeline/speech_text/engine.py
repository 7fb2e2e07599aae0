"""normalize(): the text the voice gets for one sentence, and where each changed token went.

The engine never raises: speech text is a help for listeners, and a rule that fails on odd
input must cost that token its expansion, never the section its audio. A rule that raises
skips that match; anything else unexpected gives the sentence back unchanged.
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from pipeline.speech_text.langdata import language_of, rules_for
from pipeline.speech_text.lexicon import Lexicon
from pipeline.speech_text.model import Change, SpokenSentence, SpokenText
from pipeline.speech_text.rules import _L, compile_rules
from pipeline.speech_text.sentences import split_sentences


# Tests set this to see a rule's exception instead of its silent fallback.
STRICT = False
_LETTER = re.compile(f"[{_L}]")
_SENTENCE_TAIL = re.compile(r"[\s\"'”’»)\]」』）]*\Z")


@lru_cache(maxsize=64)
def _compiled(lexicon: Lexicon, language: str):
    return compile_rules(lexicon, rules_for(language))


def normalize(sentence_text: str, lang: str, lexicon: Lexicon) -> SpokenText:
    """``sentence_text`` as the voice of ``lang`` should get it (see rules.py), with one
    Change per changed token. A lexicon whose file is broken gives the text unchanged."""
    try:
        if not sentence_text or not lexicon.usable:
            return SpokenText(sentence_text, sentence_text)
        return _normalize(sentence_text, language_of(lang), lexicon)
    except Exception:  # never let speech text cost a section its audio (see module doc)
        if STRICT:
            raise
        return SpokenText(sentence_text, sentence_text)


def _normalize(text: str, language: str, lexicon: Lexicon) -> SpokenText:
    rules, context = _compiled(lexicon, language)
    context = dataclasses.replace(context, text=text)
    claimed: list[tuple[int, int, str, str]] = []  # (start, end, said, rule name)
    for rule in rules:
        for match in rule.pattern.finditer(text):
            start, end = match.span(rule.group)
            if start == end or any(s < end and start < e for s, e, _, _ in claimed):
                continue
            try:
                said = rule.handler(match, context)
            except Exception:  # this match stays as written; the others still apply
                if STRICT:
                    raise
                said = None
            if said and said != text[start:end]:
                claimed.append((start, end, _fitted(said, text, start, end), rule.name))
    return _assemble(text, sorted(claimed))


def _fitted(said: str, text: str, start: int, end: int) -> str:
    """A replacement that would run into the word next to it gets a space ("c/8 h" ->
    "cada 8 horas", not "cada8"); one that took the sentence's full stop with it
    ("Take it b.i.d.", "... мм рт. ст.") gives it back, or the voice loses the sentence's
    falling tone."""
    if text[end - 1] == "." and not said.endswith(".") and _SENTENCE_TAIL.match(text, end):
        said += "."
    if _LETTER.match(said[-1:]) and _LETTER.match(text[end:end + 1]):
        said += " "
    if _LETTER.match(said[:1]) and start and _LETTER.match(text[start - 1]):
        said = " " + said
    return said


def _assemble(text: str, claimed: list[tuple[int, int, str, str]]) -> SpokenText:
    pieces, changes, pos, out_len = [], [], 0, 0
    for start, end, said, rule in claimed:
        kept = text[pos:start]
        pieces += [kept, said]
        out_start = out_len + len(kept)
        out_len = out_start + len(said)
        changes.append(Change((start, end), (out_start, out_len), text[start:end], said,
                              rule))
        pos = end
    pieces.append(text[pos:])
    return SpokenText(text, "".join(pieces), tuple(changes))


def speak_sentences(text: str, lang: str, lexicon: Lexicon) -> tuple[SpokenSentence, ...]:
    """Every sentence of a displayed text with its speech text: what a speech stage
    synthesises sentence by sentence, and what a player needs to highlight sentences."""
    return tuple(SpokenSentence(sentence, normalize(sentence.text, lang, lexicon))
                 for sentence in split_sentences(text, lang, lexicon))
