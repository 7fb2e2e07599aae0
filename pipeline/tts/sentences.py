"""Sentences of a speech text, and pieces of a sentence short enough to hand to the voice.

Speech is synthesised a sentence at a time: each call to espeak-ng is then short (pyttsx3's
buffer handling is quadratic in the length of one call, and a 64 KB call crashed the library),
a job's progress is known sentence by sentence, and the sample counts of the sentences give
their boundaries in the section's audio (the next issues need them for text/audio sync).
Measured with espeak-ng 1.52: a paragraph spoken sentence by sentence has the same length, to
the sample, as spoken whole (espeak pauses the same after each sentence either way).

The split is deliberately simple and cautious: a wrong split changes only where a pause
falls, a missed one only makes a longer piece. It splits after . ! ? … and their closing
quotes or brackets when a space or the end follows, and right after 。！？؟۔ (no space follows
them in those scripts). It does not split after a known abbreviation ("Dr.", "e.g.", "Jan.",
"Sra."), an initial ("J. Smith"), a word with a dot inside ("U.S.", "a.m.") or before a
lower-case letter ("approx. three").
"""
from __future__ import annotations

import re

MAX_PIECE_CHARS = 600  # longest text one synthesis call gets (~40 s of speech)

_END = re.compile(r"([.!?…]+)([\"'”’»)\]」』）]*)(?=\s|$)|[。！？؟۔]+[\"'”’»)\]」』）]*")
_WORD_BEFORE = re.compile(r"(\S+)$")
_ABBREVIATIONS = {
    "en": {"dr", "mr", "mrs", "ms", "prof", "st", "sr", "jr", "vs", "approx", "fig", "no",
           "vol", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
           "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "inc", "ltd",
           "cf", "al", "ca", "min", "hr", "hrs", "mt"},
    "es": {"dr", "dra", "sr", "sra", "srta", "ud", "uds", "vd", "vds", "prof", "lic", "ing",
           "aprox", "núm", "pág", "págs", "tel", "av", "avda", "fig", "vol", "ej", "ene",
           "feb", "abr", "jun", "jul", "ago", "sept", "oct", "nov", "dic", "cía", "depto"},
}
# Where an over-long sentence is best cut: after a clause mark, else at a space.
_CLAUSE = re.compile(r"[,;:、，；：]\s*|\s+")


def split_sentences(text: str, lang: str) -> list[str]:
    """``text`` as a list of sentences (with their punctuation), joined by single spaces in
    the original. Pieces without a letter or digit stay with the sentence before them."""
    known = _ABBREVIATIONS.get(lang.split("-")[0].lower(), set())
    sentences, start = [], 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group(1) == "." and _keeps_going(text, match.start(), end, known):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    merged: list[str] = []
    for piece in sentences:
        if merged and not any(ch.isalnum() for ch in piece):
            merged[-1] += " " + piece
        else:
            merged.append(piece)
    return merged


def _keeps_going(text: str, dot: int, end: int, known: set[str]) -> bool:
    """Whether the single "." at ``dot`` ends an abbreviation rather than a sentence."""
    before = _WORD_BEFORE.search(text, 0, dot)
    word = before.group(1).lstrip("(\"'“‘¿¡[") if before else ""
    if word.lower() in known or "." in word:  # "Dr.", "e.g.", "U.S."
        return True
    if len(word) == 1 and word.isalpha() and word.isupper():  # an initial: "J. Smith"
        return True
    following = text[end:].lstrip()
    return bool(following) and following[0].islower()  # "approx. three"


def pieces(sentence: str, limit: int = MAX_PIECE_CHARS) -> list[str]:
    """``sentence`` cut into pieces of at most ``limit`` characters, at clause marks or
    spaces where there are some (a sentence rarely needs it: 600 characters is ~100 words)."""
    out = []
    while len(sentence) > limit:
        cut = 0
        for match in _CLAUSE.finditer(sentence, 0, limit):
            if match.end() > limit // 3:  # not a tiny first piece
                cut = match.end()
        cut = cut or limit
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        out.append(sentence)
    return out
