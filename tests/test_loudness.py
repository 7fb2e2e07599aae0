"""Even loudness (pipeline/loudness.py): BS.1770 in numpy, held to pyloudnorm, the reference
implementation; a limiter that never lets a sample past its ceiling."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline import loudness

pyloudnorm = pytest.importorskip("pyloudnorm")
RATE = 22_050


def speechlike(seconds: float, seed: int = 1, level: float = 0.2) -> np.ndarray:
    """Bursts of harmonics and noise with pauses: speech's crest factor and gaps."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voice = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((140, 280, 560, 1900,
                                                                      3300), 1))
    noise = rng.normal(0, 0.3, len(t))
    envelope = (np.sin(2 * np.pi * 2.7 * t) > -0.2) * (0.4 + 0.6 * rng.random(len(t)) ** 8)
    return (level * (voice + noise) * envelope).astype(np.float32)


@pytest.mark.parametrize("seconds, level", [(0.5, 0.3), (3, 0.05), (20, 0.2), (61, 0.6)])
def test_measure_agrees_with_pyloudnorm(seconds, level):
    samples = speechlike(seconds, level=level)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))
    assert loudness.measure(samples, RATE) == pytest.approx(reference, abs=0.05)


def test_even_loudness_reaches_the_target_under_the_ceiling():
    for level in (0.02, 0.2, 0.9):
        out = loudness.even_loudness(speechlike(15, level=level), RATE)
        measured = pyloudnorm.Meter(RATE).integrated_loudness(out.astype(np.float64))
        assert measured == pytest.approx(loudness.TARGET_LUFS, abs=0.5), level
        assert np.abs(out).max() <= 10 ** (loudness.CEILING_DBFS / 20) + 1e-6
        assert out.dtype == np.float32 and len(out) == 15 * RATE


def test_silence_short_and_odd_audio_come_back_unchanged_and_nothing_raises():
    for samples in (np.zeros(RATE * 2, np.float32), speechlike(0.2), np.zeros(0, np.float32),
                    np.full(RATE, 1e-9, np.float32)):
        out = loudness.even_loudness(samples, RATE)
        assert np.array_equal(out, samples)
    rng = np.random.default_rng(7)
    for _ in range(20):  # clipped square waves, impulses, random lengths
        samples = (rng.random(rng.integers(RATE // 2, RATE * 3)) > 0.999).astype(np.float32)
        out = loudness.even_loudness(samples * rng.uniform(0.01, 4), RATE)
        assert np.abs(out).max() <= 10 ** (loudness.CEILING_DBFS / 20) + 1e-6


def test_the_limiter_changes_nothing_below_the_ceiling_and_is_smooth_above_it():
    quiet = speechlike(5, level=0.05)
    assert np.array_equal(loudness._limit(quiet, RATE), quiet)
    loud = speechlike(5, level=0.9)
    out = loudness._limit(loud, RATE)
    gain = np.abs(out[np.abs(loud) > 0.05]) / np.abs(loud[np.abs(loud) > 0.05])
    assert gain.max() <= 1.0 + 1e-6 and gain.min() > 0.05
