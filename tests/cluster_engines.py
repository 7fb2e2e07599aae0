"""Speech engines for the cluster tests, in a module of their own: Dask workers unpickle the
engine factory a task carries, so they import this module (spawned workers get the test
process's sys.path), not the test module with its fixtures."""
from __future__ import annotations

import os
import time
from pathlib import Path

from pipeline.tts.fake import FakeEngine


class SlowEngine(FakeEngine):
    """The fake engine's sound, a tenth of a second per sentence: a build long enough for a
    test to kill a worker, or the scheduler, while sections are being spoken."""

    seconds = 0.05

    def synthesize(self, text: str, voice: str, rate: int):
        time.sleep(self.seconds)
        return super().synthesize(text, voice, rate)


class FailingEngine(FakeEngine):
    """Fails every text containing ``word``, and notes each attempt in ``log`` (a file), so a
    test can count how often the section was tried."""

    def __init__(self, word: str = "", log: str = "") -> None:
        super().__init__()
        self.word, self.log = word, log

    def synthesize(self, text: str, voice: str, rate: int):
        if self.word and self.word in text:
            with open(self.log, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")
            raise RuntimeError(f"the engine refused '{self.word}'")
        return super().synthesize(text, voice, rate)


class MissingEngine(FakeEngine):
    """An engine whose library is not installed on the worker."""

    def __init__(self) -> None:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")


def attempts(log: str) -> int:
    path = Path(log)
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0
