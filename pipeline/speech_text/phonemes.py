"""espeak-ng's phonemes for a text, from the libespeak-ng that the ``espeakng-loader`` wheel
bundles: how the speech-text tests compare what the voice will say (two spellings that sound
the same give the same phonemes), and how a reviewer can check a lexicon entry by ear.

Run it as a separate process (``python -m pipeline.speech_text.phonemes``): it reads JSON
lines ``{"text": ..., "voice": ...}`` on stdin and writes ``{"phonemes": ...}`` lines on
stdout. espeak is initialised once per process and keeps threads and global state; doing that
inside a test runner or a build process can upset code that forks later (pyttsx3 deadlocks
after a fork), so callers keep it in a child process (``PhonemeProcess``).
"""
from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

AUDIO_OUTPUT_SYNCHRONOUS = 2  # speak_lib.h: no audio device, no callback thread needed
ESPEAK_CHARS_UTF8 = 1
PHONEMES_IPA = 0x02  # bit 1 of phonememode: IPA (UTF-8) instead of espeak's ASCII names


class _Espeak:
    """One initialised libespeak-ng (per process: espeak_Initialize is not re-entrant)."""

    def __init__(self) -> None:
        import espeakng_loader  # imported here: only the child process needs the library

        data = espeakng_loader.get_data_path()
        os.environ["ESPEAK_DATA_PATH"] = data
        lib = ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p,
                                          ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int,
                                              ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        if lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0) <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self._lib = lib
        self._voice = ""

    def phonemes(self, text: str, voice: str) -> str:
        """IPA for ``text``, one clause per space-joined piece (espeak returns a clause a call)."""
        if voice != self._voice:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise ValueError(f"unknown espeak voice {voice!r}")
            self._voice = voice
        buf = ctypes.create_string_buffer(text.encode("utf-8"))
        ptr = ctypes.c_void_p(ctypes.addressof(buf))
        clauses = []
        while ptr.value:  # espeak sets the pointer to NULL after the last clause
            out = self._lib.espeak_TextToPhonemes(ctypes.byref(ptr), ESPEAK_CHARS_UTF8,
                                                  PHONEMES_IPA)
            if out:
                clauses.append(out.decode("utf-8", "replace"))
        return " ".join(clauses)


def serve(stdin=sys.stdin, stdout=sys.stdout) -> None:
    """JSON lines in, JSON lines out, until stdin closes."""
    espeak = _Espeak()
    for line in stdin:
        request = json.loads(line)
        try:
            reply = {"phonemes": espeak.phonemes(request["text"], request["voice"])}
        except ValueError as exc:
            reply = {"error": str(exc)}
        stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        stdout.flush()


class PhonemeProcess:
    """A child process that answers ``phonemes(text, voice)``; close() (or ``with``) ends it."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            filter(None, [root, os.environ.get("PYTHONPATH")])), PYTHONIOENCODING="utf-8")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.speech_text.phonemes"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, encoding="utf-8", env=env)
        self._cache: dict[tuple[str, str], str] = {}

    def phonemes(self, text: str, voice: str) -> str:
        key = (text, voice)
        if key not in self._cache:
            assert self._proc.stdin and self._proc.stdout
            self._proc.stdin.write(json.dumps({"text": text, "voice": voice}) + "\n")
            self._proc.stdin.flush()
            reply = json.loads(self._proc.stdout.readline() or '{"error": "process died"}')
            if "error" in reply:
                raise RuntimeError(reply["error"])
            self._cache[key] = reply["phonemes"]
        return self._cache[key]

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)

    def __enter__(self) -> "PhonemeProcess":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


if __name__ == "__main__":
    serve()
