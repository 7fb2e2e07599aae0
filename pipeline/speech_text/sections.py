"""The sentences of a section, numbered in speaking order: one numbering for the audio plan
(what the voice says, sentence by sentence), the transcript's cues and the page's sentence
spans, so that cue ``s-<section>-<n>`` is the element ``id="s-<section>-<n>"`` on the page.

A segment is spoken when its plain text has words (``to_plain``), in ``section.segments``
order: the heading, then each block's image description and segments; reference lists are
not (spoken_segments).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipeline.config import DEFAULT_SKIP_SECTIONS
from pipeline.inline import to_plain
from pipeline.model import BlockKind, LocalizedSection, LocalizedSegment
from pipeline.speech_text.lexicon import Lexicon
from pipeline.speech_text.model import Sentence
from pipeline.speech_text.sentences import split_sentences

LexiconFor = Callable[[str], Lexicon]  # a BCP 47 tag -> that language's lexicon


@dataclass(frozen=True)
class SegmentSentences:
    segment: LocalizedSegment
    plain: str  # the segment's plain text, as the page shows it
    sentences: tuple[Sentence, ...]  # spans into ``plain`` (the page marks them; the audio
    # plan normalizes each into what the voice says)
    ids: tuple[str, ...]  # one element id per sentence


def spoken_segments(section: LocalizedSection,
                    skip: frozenset[str] = DEFAULT_SKIP_SECTIONS) -> tuple[LocalizedSegment, ...]:
    """The segments a listener hears, in page order: none of a section whose id is in
    ``skip`` ([audio] skip_sections); with "references" in it, no reference list either
    (authors, journals, page numbers, often in another language), and a section that is only
    a heading over references has no audio at all."""
    if section.id in skip:
        return ()
    citations = "references" in skip
    kept = [segment for block in section.blocks
            if not (citations and block.kind is BlockKind.CITATIONS)
            for segment in ((block.image_alt,) if block.image_alt else ()) + block.segments]
    words = [segment for segment in kept if to_plain(segment.text)]
    if citations and not words and any(b.kind is BlockKind.CITATIONS for b in section.blocks):
        return ()
    return ((section.heading,) if section.heading else ()) + tuple(kept)


def sentence_id(section_id: str, number: int) -> str:
    return f"s-{section_id}-{number}"


def section_sentences(section: LocalizedSection, lexicon_for: LexiconFor,
                      skip: frozenset[str] = DEFAULT_SKIP_SECTIONS
                      ) -> tuple[SegmentSentences, ...]:
    """Every spoken segment of ``section`` with words, its sentences and their ids."""
    out, number = [], 0
    for segment in spoken_segments(section, skip):
        plain = to_plain(segment.text)
        if not plain:
            continue
        sentences = split_sentences(plain, segment.lang, lexicon_for(segment.lang)) or (
            Sentence(0, len(plain), plain),)
        ids = tuple(sentence_id(section.id, number + i) for i in range(1, len(sentences) + 1))
        number += len(sentences)
        out.append(SegmentSentences(segment, plain, sentences, ids))
    return tuple(out)
