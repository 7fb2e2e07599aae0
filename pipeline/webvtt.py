"""WebVTT, the transcript beside each section's audio: one cue per spoken sentence, with the
text the voice was given (so a listener, or a translator checking the speech lexicon, reads
what was said: "10 milligrams per day" where the page shows "10 mg/day").

Cue text is untrusted (it comes from translations): "<" and "&" would start WebVTT markup
(``<c>``, ``<v>``, ``<script>`` in a careless viewer) and "-->" or a blank line would end the
cue, so the text is escaped and kept on one line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Cue:
    ident: str  # a WebVTT cue identifier: the sentence's id, for text/audio sync
    start: float  # seconds
    end: float
    text: str


def cue_time(seconds: float) -> str:
    """``HH:MM:SS.mmm``, rounded to the millisecond."""
    millis = max(0, int(round(seconds * 1000)))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def cue_text(text: str) -> str:
    """``text`` as a cue's payload: escaped and on one line (see the module's docstring)."""
    text = _SPACES.sub(" ", text).strip()
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Iterable[Cue], lang: str = "") -> str:
    """A WebVTT file. ``lang``: the BCP 47 tag of its language, said in the header's title
    (WebVTT has no language field; the page's link carries ``hreflang``)."""
    out = ["WEBVTT" + (f" - {lang}" if lang else ""), ""]
    for cue in cues:
        ident = _SPACES.sub("-", cue.ident.replace("-->", "")) if cue.ident else ""
        if ident:
            out.append(ident)
        end = max(cue.end, cue.start)
        out += [f"{cue_time(cue.start)} --> {cue_time(end)}", cue_text(cue.text) or "…", ""]
    return "\n".join(out)
