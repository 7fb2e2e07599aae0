"""The versions a section's audio depends on, read cheaply: the build names them in the audio
cache's keys (speak.py), and a Dask worker reports its own so that the build uses only
workers whose audio would be the same bytes as its own (cluster_speech.py)."""
from __future__ import annotations

import os
import sys
from functools import lru_cache

# What shapes the bytes of a section's MP3: the voice, its driver, the encoder (libsndfile
# in the soundfile wheel) and the arithmetic of joining and levelling (numpy).
AUDIO_LIBRARIES = ("espeakng-loader", "pyttsx3", "soundfile", "numpy")


def versions() -> tuple[str, ...]:
    """``name version`` of the package and of each of AUDIO_LIBRARIES ("?" when missing)."""
    from pipeline import __version__

    return (f"pipeline {__version__}",
            *(f"{name} {installed_version(name) or '?'}" for name in AUDIO_LIBRARIES))


def installed_version(name: str) -> str | None:
    """An installed distribution's version, from the name of its ``.dist-info`` folder (pip
    names it ``name-version.dist-info``) where there is one: importing importlib.metadata
    took a tenth of the speech stage of a one-edit rebuild."""
    prefix = name.replace("-", "_").lower() + "-"
    for names in _dist_info_folders():
        for entry in names:
            if entry.lower().startswith(prefix):
                return entry[len(prefix):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def _dist_info_folders() -> tuple[tuple[str, ...], ...]:
    found = []
    for folder in sys.path:
        try:
            found.append(tuple(n for n in os.listdir(folder or ".") if n.endswith(".dist-info")))
        except OSError:
            continue
    return tuple(found)
