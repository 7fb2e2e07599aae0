"""The speech engine behind one small interface, so stages never touch pyttsx3 directly.

``EspeakEngine`` (pyttsx3 on the bundled espeak-ng) makes real audio; ``FakeEngine`` makes
deterministic tones for fast tests of other stages. Both are created inside worker processes
by an ``EngineFactory`` (a picklable callable: the class itself, or a functools.partial).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

if TYPE_CHECKING:  # only in annotations: a rebuild that speaks nothing never loads numpy
    import numpy as np


class SpeechEngine(Protocol):
    name: str  # e.g. "espeak-ng"
    version: str  # e.g. "espeak-ng 1.52.0"; goes into the manifest for reproducibility

    def voice_ids(self) -> frozenset[str]:
        """Every voice id the engine accepts."""

    def synthesize(self, text: str, voice: str, rate: int) -> tuple[np.ndarray, int]:
        """Mono samples (int16 or float32 in [-1, 1]) and their sample rate."""

    def close(self) -> None:
        """Release temp files; the process may exit without calling it."""


EngineFactory = Callable[[], SpeechEngine]


def default_engine() -> SpeechEngine:
    """The real engine; imported lazily so that importing pipeline.tts never loads espeak."""
    from pipeline.tts.engine import EspeakEngine

    return EspeakEngine()
