"""Pieces of a sentence short enough to hand to the voice.

Speech is synthesised a sentence at a time: each call to espeak-ng is then short (pyttsx3's
buffer handling is quadratic in the length of one call, and a 64 KB call crashed the library),
a job's progress is known sentence by sentence, and the sample counts of the sentences give
their boundaries in the section's audio (the next issues need them for text/audio sync).
Measured with espeak-ng 1.52: a paragraph spoken sentence by sentence has the same length, to
the sample, as spoken whole (espeak pauses the same after each sentence either way).

Sentences come from speech_text/ (split_sentences, with each sentence's span in the page's
text); this module only cuts a sentence too long for one call into pieces.
"""
from __future__ import annotations

import re

MAX_PIECE_CHARS = 600  # longest text one synthesis call gets (~40 s of speech)

# Where an over-long sentence is best cut: after a clause mark, else at a space.
_CLAUSE = re.compile(r"[,;:、，；：]\s*|\s+")


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
