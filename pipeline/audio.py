"""Audio helpers for the speak stage: checking synthesized samples, MP3 encoding, ID3 tags.

numpy, soundfile and mutagen load when first used: a rebuild that reuses every section
needs none of them, and they are a third of its start-up.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

MIN_RMS = 0.003  # full scale = 1.0; espeak speech is ~0.08, a silent render ~0
QUIET = 0.004  # |sample| below this is silence (espeak's pauses are digital zero)
# espeak-ng ends every synthesis with a pause: at least 0.29 s below QUIET for each of the
# 402 sentences of the sample site, in all 7 voices. Audio that ends louder was cut short.
END_SILENCE = 0.1  # seconds
MP3_QUALITY = 0.6  # libsndfile VBR compression level: ~50 kbps for 22 kHz mono speech


def as_float(samples: np.ndarray) -> np.ndarray:
    import numpy as np

    samples = np.asarray(samples).reshape(-1)
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return samples.astype(np.float32)


def audio_problem(samples: np.ndarray, rate: int, text: str) -> str:
    """Why this audio of one sentence cannot be right, or "" when it may be.

    Nothing here guesses how long the text should take: the duration check it replaces
    rejected correct sentences ("Call 1-800-821-2285 or visit www.myositis.org", whose
    number and address espeak reads digit by digit). Speech that is there (not silent) and
    complete (ends in espeak's closing pause) is what can be checked without misfiring; text
    far longer than its source is stopped before it reaches the voice (audio_plan.py).
    """
    import numpy as np

    if samples.size == 0:
        return "empty audio"
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    if rms < MIN_RMS and any(ch.isalnum() for ch in text):  # "—" alone may well be silent
        return f"silent audio (RMS {rms:.5f})"
    tail = samples[-max(1, int(END_SILENCE * rate)):]
    if float(np.max(np.abs(tail))) >= QUIET:
        return f"truncated audio (it does not end in a pause; {samples.size / rate:.2f} s)"
    return ""


def encode_mp3(samples: np.ndarray, rate: int) -> bytes:
    """VBR MP3 with a Xing seek table (browsers can seek), all in memory."""
    import numpy as np
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1.0, 1.0), rate, format="MP3",
                    subtype="MPEG_LAYER_III", bitrate_mode="VARIABLE",
                    compression_level=MP3_QUALITY)
    return buffer.getvalue()


def tag_mp3(data: bytes, tags: tuple[tuple[str, str], ...]) -> bytes:
    """The MP3 with ID3 v2.3 tags (title, album, track, language) in front."""
    from mutagen import id3

    buffer = io.BytesIO(data)
    frames = id3.ID3()
    for frame_id, text in tags:
        frames.add(getattr(id3, frame_id)(encoding=id3.Encoding.UTF8, text=[text]))
    buffer.seek(0)
    frames.save(buffer, v2_version=3)  # v2.3: read by more players and car stereos
    return buffer.getvalue()
