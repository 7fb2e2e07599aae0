"""A stand-in speech engine: deterministic tones, instant, no espeak-ng needed.

Each text becomes a tone whose length follows its word count and rate, like real speech, and
ends in a pause as espeak-ng's speech does (the speech checks look for it), so timings behave
as with espeak-ng; the pitch depends on the voice, so a test can hear (or compute) which voice
spoke a part.
"""
from __future__ import annotations

import zlib

import numpy as np

from pipeline.tts.voices import DEFAULT_VOICES, speech_units

SAMPLE_RATE = 22050
PAUSE_SECONDS = 0.2  # espeak-ng ends each synthesis with 0.3-0.4 s of silence


class FakeEngine:
    name = "fake"
    version = "fake 1"
    sample_rate = SAMPLE_RATE

    def __init__(self, voices: frozenset[str] | None = None) -> None:
        known = {v for v in DEFAULT_VOICES.values() if v} | {"roa/es-419", "roa/fr"}
        self._voices = frozenset(voices if voices is not None else known)
        self.calls: list[tuple[str, str, int]] = []

    def voice_ids(self) -> frozenset[str]:
        return self._voices

    def synthesize(self, text: str, voice: str, rate: int) -> tuple[np.ndarray, int]:
        if voice not in self._voices:
            raise RuntimeError(f"voice '{voice}' was not accepted")
        self.calls.append((text, voice, rate))
        seconds = speech_units(text) * 60.0 / rate + 0.1
        t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
        pitch = 110 + zlib.crc32(voice.encode()) % 200  # stable across runs and processes
        tone = 0.3 * np.sin(2 * np.pi * pitch * t)
        pause = np.zeros(int(PAUSE_SECONDS * SAMPLE_RATE))
        return np.concatenate([tone, pause]).astype(np.float32), SAMPLE_RATE

    def close(self) -> None:
        pass
