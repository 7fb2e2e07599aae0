"""What the build publishes, as the output writers see it: one typed, frozen record."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Union

from pipeline.config import Config
from pipeline.incremental import Incremental
from pipeline.model import LocalizedArticle, Withheld
from pipeline.stages.speak_result import SpeakResult, SpeechInProgress

Speech = Union[SpeakResult, SpeechInProgress, None]  # None: audio is off


@dataclass(frozen=True)
class Site:
    config: Config
    locales: tuple[str, ...]  # the source language first, then project.locales
    pages: tuple[LocalizedArticle, ...]  # published pages
    withheld: tuple[Withheld, ...]
    audio: Speech
    inputs: Mapping[tuple[str, str], str]  # (slug, locale) -> print of what the page is made of
    done: Incremental  # the build's state: skips jobs whose inputs did not change
    # (slug, locale) -> why the last good page was kept (a broken catalog): shown as stale
    kept: Mapping[tuple[str, str], str] = field(default_factory=dict)
