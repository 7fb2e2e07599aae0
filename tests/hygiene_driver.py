"""A parent process for the helper-process tests (test_process_hygiene.py), run as a script so
that the tests can kill it, and so that forking happens in a process with one thread.

    python tests/hygiene_driver.py helpers DIR      # warm speaker + 2 pool workers, all busy
    python tests/hygiene_driver.py warm-timeout DIR # a warm speaker job over its time limit
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.model import Location  # noqa: E402
from pipeline.stages.audio_plan import SectionJob, Utterance  # noqa: E402
from pipeline.tts.fake import FakeEngine  # noqa: E402


class HangEngine(FakeEngine):
    """The fake engine; a text with HANG never returns, one with CRASH segfaults."""

    def synthesize(self, text, voice, rate):
        if "HANG" in text:
            time.sleep(3600)
        if "CRASH" in text:
            os.kill(os.getpid(), signal.SIGSEGV)
        return super().synthesize(text, voice, rate)


def job(folder: Path, name: str, *texts: str) -> SectionJob:
    utterances = tuple(Utterance(text, "en", "gmw/en-us", 150, Location("x.po", 10 + i))
                       for i, text in enumerate(texts))
    return SectionJob(f"x [en] section '{name}'", utterances, str(folder / f"{name}.mp3"),
                      f"{name}.mp3", "en", "x", name, "gmw/en-us", (), name,
                      str(folder / "cache" / f"{name}.mp3"))


def helpers(folder: Path) -> None:
    from pipeline.stages.speech_pool import SpeechPool
    from pipeline.stages.warm_speaker import WarmSpeaker

    speaker = WarmSpeaker(HangEngine)
    speaker.voice_ids()
    pool = SpeechPool(HangEngine, 2)
    pool.voice_ids()
    speaker.start(job(folder, "warm", "HANG here."))
    pids = [speaker.pid, *(w.process.pid for w in pool._workers)]
    print(json.dumps(pids), flush=True)
    for _ in pool.speak([job(folder, "a", "HANG here."), job(folder, "b", "HANG too.")]):
        pass


def warm_timeout(folder: Path) -> None:
    import pipeline.stages.audio_plan as audio_plan
    from pipeline.stages.warm_speaker import SpeakerGone, WarmSpeaker

    audio_plan.JOB_SECONDS, audio_plan.SECONDS_PER_CHAR = 1.0, 0.0
    speaker = WarmSpeaker(HangEngine)
    speaker.voice_ids()
    speaker.start(job(folder, "warm", "Fine.", "HANG here."))
    started = time.monotonic()
    try:
        speaker.answer()
        out = {"timed_out": False}
    except SpeakerGone as exc:
        out = {"timed_out": exc.timed_out, "part": exc.part, "message": str(exc)}
    out["seconds"] = time.monotonic() - started
    speaker._process.join(timeout=5)
    out["alive"] = speaker._process.is_alive()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    {"helpers": helpers, "warm-timeout": warm_timeout}[sys.argv[1]](Path(sys.argv[2]))
