"""What a job is (doit's idea, this project's hashing): a kind and a name that make its key,
named inputs (each a content print, so ``--explain`` can say which one changed) and the target
it writes. ``Incremental`` (incremental.py) is the one place that checks a job against the
state, records it when it ran, replays its warnings when it is reused and explains why it ran.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

# Every kind of job, by its key prefix: what the state holds under it.
KINDS: Mapping[str, str] = MappingProxyType({
    "read": "a parsed source (read stage), with its warnings",
    "pot": "a template written by extract, with its message count and warnings",
    "localize": "a localized article (one article in one locale), with its warnings",
    "ui": "an interface catalog, checked, with its warnings",
    "locale-checks": "a locale's library-wide checks (consistency, form), with its warnings",
    "page-checks": "one page's translated entries and form warnings, for locale-checks",
    "page": "an article page under output/<lang>/",
    "index": "a language's index page",
    "review": "a review page under output/_review/ (and the review grid)",
    "audio": "one section's MP3, with its manifest line",
    "audio-page": "the audio of one page: every section's track",
    "audio-article": "a whole article's MP3, its sections joined, with chapters",
    "feed": "a locale's podcast feed",
    "pdf": "a printable PDF handout of one page",
    "bilingual": "a bilingual PDF handout (source beside translation) of one page",
    "epub": "an EPUB 3 talking book of one page, with media overlays",
    "bundle": "a locale's offline bundle (zip)",
    "plan": "what each section of one page says, in which voice (speech planning)",
    "stale-removal": "the walk that removes outputs no longer produced",
    "stat": "a file's stamp and content print (so unchanged files are not read again)",
})


@dataclass(frozen=True)
class Job:
    kind: str  # a key of KINDS
    name: str  # which one: "es/hydration.html", "es:hydration"...
    inputs: Mapping[str, str]  # input name -> content print
    target: Path | None = None  # the file it writes; a job whose target is gone runs again
    explain: bool = True  # False for shortcuts whose finer jobs explain themselves
    also: tuple[Path, ...] = ()  # other files it writes (an MP3's transcript)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown job kind '{self.kind}' (jobs.KINDS)")

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"
