"""What the speak stage gives the build: the tracks, the failures, the totals.

``SpeakResult`` is finished speech; ``SpeechInProgress`` the same while the warm speaker still
makes a few sections. ``Work`` gathers what the workers did into either, and records it in
the build state.

A section whose new audio fails has no player on its page (the page says some audio could
not be made), and the error names the segment's line. Audio published before is not lost:
other sections' files stay, and when the failed section's inputs are unchanged (a --force
rebuild that hit a crash, say), the audio made from them before is published from the audio
cache as before, with a warning. When the inputs changed, the page does not link the old
file (it says other words), which the site then removes as stale.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, ClassVar

from pipeline.audio import tag_mp3
from pipeline.manifest import track_entry
from pipeline.jobs import Job
from pipeline.model import AudioTrack, SegmentTiming, SentenceTiming
from pipeline.report import Reporter
from pipeline.stages.audio_plan import PagePlan, SectionJob
from pipeline.state import fingerprint
from pipeline.webvtt import Cue, webvtt
from pipeline.writer import OutputWriter


@dataclass(frozen=True)
class AudioFailure:
    """A section without audio: why, and which section (its page is built without that
    player and says so)."""

    message: str
    slug: str
    locale: str
    section_id: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SpeakResult:
    tracks: tuple[AudioTrack, ...] = ()
    silent_locales: tuple[str, ...] = ()  # locales whose language has no voice
    failures: tuple[AudioFailure, ...] = ()  # one per section without audio, in page order
    audio_seconds: float = 0.0
    synth_seconds: float = 0.0  # wall time of the whole stage
    real_time_factor: float = 0.0  # audio seconds per wall second
    mp3_bytes: int = 0
    max_decode_error: float = 0.0  # worst |decoded MP3 duration - encoded duration|, seconds
    synthesized: int = 0  # sections synthesized by this build
    cached: int = 0  # sections taken from the audio cache
    synthesized_seconds: float = 0.0  # audio seconds synthesized by this build
    track_entries: tuple[str, ...] = ()  # each track's manifest line (manifest.track_entry)
    where: str = ""  # the Dask cluster that spoke the sections (executor.py); "" for this machine

    # Finished speech, so a build takes this or a SpeechInProgress alike.
    waiting: ClassVar[frozenset[tuple[str, str]]] = frozenset()

    @property
    def ready(self) -> SpeakResult:
        return self

    def result(self) -> SpeakResult:
        return self


class SpeechInProgress:
    """A build's audio while the warm speaker still makes the sections of ``waiting`` pages
    (``(locale, slug)``): ``ready`` holds the tracks of every other page, final already, so
    those pages render meanwhile; ``result()`` waits and gives the whole SpeakResult.

    A SpeakResult answers the same three (nothing waiting), so a build takes either."""

    def __init__(self, waiting: frozenset[tuple[str, str]], ready: SpeakResult,
                 finish: Callable[[], SpeakResult]):
        self.waiting, self.ready = waiting, ready
        self._finish: Callable[[], SpeakResult] | None = finish
        self._result: SpeakResult | None = None

    def result(self) -> SpeakResult:
        if self._result is None:
            assert self._finish is not None
            # The tagger, loaded while the warm speaker still speaks: publishing the
            # section needs it right after (0.06 s of a one-msgstr rebuild's critical path).
            import mutagen.id3  # noqa: F401
            self._result, self._finish = self._finish(), None
        return self._result


class Work:
    """What ``speak_articles`` found and made, turned into a SpeakResult (and recorded in the
    build state) once every fresh section is done."""

    def __init__(self, plan: Any, started: float, state: Any, reporter: Reporter,
                 writer: OutputWriter):
        self.plan, self.started, self.state, self.reporter = plan, started, state, reporter
        self.writer = writer
        self.ready: dict[str, AudioTrack] = {}  # output path -> track, reused
        self.entries: dict[str, str] = {}  # relative path -> manifest line
        self.pages_ready: set[tuple[str, str]] = set()  # pages whose audio is reused whole
        self.fresh: list[SectionJob] = []
        self.skipped: set[str] = set()  # speech keys left unspoken (build --no-audio)
        self.errors: dict[str, tuple[str, int]] = {}  # speech key -> why, utterance
        self.decode_errors = [0.0]
        self.synth_wall = 0.0
        self._reported: set[str] = set()  # output paths whose failure was reported

    def done(self, job: SectionJob, decode_error: float, error: str, part: int = -1) -> None:
        """A job's outcome: ``error`` is "" or why it failed, on its utterance ``part``
        (-1: not known)."""
        if error:
            self.errors[job.key] = (error, part)
        else:
            self.decode_errors.append(decode_error)
        self.synth_wall = time.perf_counter() - self.started

    def result(self, leave_out: frozenset = frozenset(), partial: bool = False) -> SpeakResult:
        """The tracks in page order, whatever order the workers finished in. With
        ``partial``, only those of the pages not in ``leave_out``, which are final (the
        ``ready`` of a SpeechInProgress): sections copied from the audio cache are published
        then, once; the totals and the pages' records wait for the whole result."""
        tracks, failures, entries, state = [], [], self.entries, self.state
        durations: dict[str, float] = {}
        for job in self.plan.jobs:
            if leave_out and (job.locale, job.slug) in leave_out:
                continue
            if job.key in self.skipped:
                continue
            if job.key in self.errors and job.path not in self.ready and \
                    not self._failed(job, failures):
                continue
            if job.path in self.ready:
                tracks.append(self.ready[job.path])
            else:
                tracks.append(publish(job, self.writer))
                self.ready[job.path] = tracks[-1]  # published once, whether partial or not
                entries[job.rel_path] = track_entry(tracks[-1])
                if state is not None:
                    state.record_job(section_job(job), (stored(tracks[-1]),
                                                        entries[job.rel_path]))
            durations[job.key] = tracks[-1].duration
        silent = self.plan.silent_locales
        if partial:
            return SpeakResult(tuple(tracks), silent, tuple(failures),
                               track_entries=tuple(entries[t.path] for t in tracks))
        if state is not None:
            done = {track.path: track for track in tracks}
            for page in self.plan.pages:
                if page.jobs and page_id(page) not in self.pages_ready and \
                        all(job.rel_path in done for job in page.jobs):
                    state.record_job(page_job(page),
                                 (tuple(stored(done[job.rel_path]) for job in page.jobs),
                                  tuple(entries[job.rel_path] for job in page.jobs)))
        wall = time.perf_counter() - self.started
        fresh = {j.key for j in self.fresh} - set(self.errors)
        fresh_audio = sum(durations[k] for k in fresh)
        return SpeakResult(tuple(tracks), silent, tuple(failures),
                           sum(t.duration for t in tracks), wall,
                           fresh_audio / self.synth_wall if fresh and self.synth_wall else 0.0,
                           sum(t.size for t in tracks), max(self.decode_errors), len(fresh),
                           len(tracks) - len(fresh), fresh_audio,
                           tuple(entries[track.path] for track in tracks))

    def _failed(self, job: SectionJob, failures: list) -> bool:
        """Report a job that failed, at the line of the segment it failed on; True when the
        audio made before from the same inputs is in the audio cache, to be published
        instead (see the module's docstring)."""
        why, part = self.errors[job.key]
        where = self.plan.where[job.path]
        if 0 <= part < len(job.utterances) and job.utterances[part].where.path:
            where = job.utterances[part].where
        message = f"audio for {job.label} failed: {why}"
        if is_cached(job):
            self.reporter.warn(where, message + "; the audio made before from the same text "
                               "is kept", "audio-failed")
            return True
        if job.path not in self._reported:  # a partial result reported it already
            self._reported.add(job.path)
            self.reporter.error(where, message, "audio-failed")
        failures.append(AudioFailure(message, job.slug, job.locale, job.section_id))
        return False


def stored(track: AudioTrack) -> AudioTrack:
    """A track as the build state keeps it: without its segments' text (most of its size);
    its sentence timings stay, as the page's player needs them."""
    return replace(track, timings=()) if track.timings else track


def page_id(page: PagePlan) -> tuple[str, str]:
    return page.jobs[0].locale, page.jobs[0].slug


def page_job(page: PagePlan) -> Job:
    """The audio of a whole page: reused at once when no section of it changed (a library
    has 13,000 sections, checked a page at a time)."""
    return Job("audio-page", "{}:{}".format(*page_id(page)),
               {"jobs": page.print, "format": TRACK_FORMAT},
               explain=False)


def section_job(job: SectionJob) -> Job:
    """One section's MP3 and its transcript: its speech (text, voices, engine) and its ID3
    tags."""
    return Job("audio", job.rel_path, audio_parts(job), Path(job.path),
               also=(Path(job.path[:-len(".mp3")] + ".vtt"),))


# What a published track is made of beside its speech: bump when the transcript or the
# manifest line changes, so tracks are published again (from the audio cache, no speech).
# v2: WebVTT transcript and sentence cues.
TRACK_FORMAT = "track-v2"


def audio_parts(job: SectionJob) -> dict[str, str]:
    return {"speech": job.key, "tags": fingerprint(job.tags), "format": TRACK_FORMAT}


def is_cached(job: SectionJob) -> bool:
    return Path(job.cache).is_file() and Path(job.cache).with_suffix(".json").is_file()


def publish(job: SectionJob, writer: OutputWriter) -> AudioTrack:
    """Copy the cached section audio to its page's place, with this page's ID3 tags, and
    write its transcript (WebVTT, one cue per spoken sentence) beside it."""
    cache = Path(job.cache)
    meta = json.loads(cache.with_suffix(".json").read_text(encoding="utf-8"))
    data = tag_mp3(cache.read_bytes(), job.tags)
    writer.write_bytes(job.path, data)
    cues = cues_of(job, meta)
    transcript = job.rel_path[:-len(".mp3")] + ".vtt"
    writer.write_text(job.path[:-len(".mp3")] + ".vtt",
                      webvtt(cues, job.utterances[0].lang if job.utterances else ""))
    timings = tuple(SegmentTiming(*t) for t in meta["timings"])
    return AudioTrack(job.locale, job.slug, job.section_id, job.rel_path, job.voice,
                      meta["duration"], len(data), timings, transcript,
                      tuple(SentenceTiming(c.ident, c.start, c.end) for c in cues))


def cues_of(job: SectionJob, meta: dict) -> list[Cue]:
    """A cue per sentence the voice spoke (the cache's sentence boundaries, exact to the
    sample), named by the sentence's element id on the page (the cache is shared by sections
    that say the same, so the ids come from this job)."""
    ids = [ident for utterance in job.utterances for ident in utterance.ids]
    sentences = meta["sentences"]
    if len(ids) != len(sentences):  # speech cached before sentences had ids
        ids = [f"{job.section_id}-{number}" for number in range(1, len(sentences) + 1)]
    return [Cue(ident, round(start, 3), round(end, 3), text)
            for ident, (_, text, start, end) in zip(ids, sentences)]
