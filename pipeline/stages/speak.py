"""Speak stage: ``LocalizedSection`` -> ``output/<lang>/audio/<slug>/<section>.mp3``.

Each section becomes one MP3 that reads its heading, paragraphs, list items, image alt text and
citations in page order. A segment the page shows in the source language (untranslated, invalid
or a citation) is read by the source language's voice, as the page marks it with ``lang``: a
Spanish voice reading English words is unintelligible. A locale without a voice gets no audio
at all rather than a wrong-language one.

Synthesis runs in worker processes (speech_worker.py), one engine each (pyttsx3 is not
thread-safe, and forking a process that has initialised espeak-ng deadlocks), created with
the "spawn" context.
"""
from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping, Sequence

from pipeline.audio import tag_mp3
from pipeline.config import CONFIG_NAME, Config
from pipeline.fsutil import write_bytes_atomic
from pipeline.manifest import track_entry
from pipeline.model import AudioTrack, LocalizedArticle, Location, SegmentTiming
from pipeline.progress import progress_bar
from pipeline.report import Reporter
from pipeline.stages import speech_worker
from pipeline.stages.audio_plan import PagePlan, SectionJob, complete, plan_audio
from pipeline.state import fingerprint
from pipeline.tts import EngineFactory, default_engine
from pipeline.tts.voices import check_voices


# Up to this many changed sections go to the warm speaker, one after the other: at about
# 0.2 s each, overlapped with rendering, that beats starting a pool (measured on 2 cores).
WARM_SECTIONS = 8


class AudioFailure(str):
    """A failure message (a str, printed as is) that also names the section it is about."""

    slug: str
    locale: str
    section_id: str

    def __new__(cls, message: str, slug: str, locale: str, section_id: str) -> "AudioFailure":
        failure = super().__new__(cls, message)
        failure.slug, failure.locale, failure.section_id = slug, locale, section_id
        return failure

    def __reduce__(self):
        return AudioFailure, (str(self), self.slug, self.locale, self.section_id)


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
            self._result, self._finish = self._finish(), None
        return self._result


def speak_articles(articles: Sequence[LocalizedArticle], config: Config, output_dir: Path,
                   jobs: int, reporter: Reporter,
                   engine_factory: EngineFactory | None = None,
                   cache_dir: Path | None = None, state: Any = None,
                   use_cache: bool = True,
                   page_inputs: Mapping[tuple[str, str], str] | None = None,
                   speaker: Any = None) -> SpeakResult | SpeechInProgress:
    """Write one MP3 per section of every article whose locale has a voice.

    ``jobs`` is the number of worker processes (0: one per CPU). A section whose audio fails
    is reported as an ``audio-failed`` error and listed in ``failures``; its page is built
    without that player. Raises ContentError when ``audio.voices`` names an unknown voice.
    ``state`` (an Incremental) and ``page_inputs`` let unchanged pages and sections be reused.
    ``speaker`` (a WarmSpeaker) speaks up to WARM_SECTIONS changed sections, which are not
    waited for: a SpeechInProgress is returned while it speaks (a fifth of a one-edit
    rebuild).
    Without a speaker, the result is always a SpeakResult.
    """
    started = time.perf_counter()
    factory = engine_factory or default_engine
    cache_dir = Path(cache_dir or config.root / ".pipeline-cache" / "audio")
    engine = _engine_identity(factory)
    plan = plan_audio(articles, config, Path(output_dir), cache_dir, engine, state, page_inputs)
    todo, silent = list(plan.jobs), plan.silent_locales
    if not todo:
        return SpeakResult(silent_locales=silent)
    # A section whose speech and tags are unchanged and whose file is in place needs nothing
    # (checked a page at a time first: a library has 13,000 sections); the others are copied
    # from the content cache, or synthesized when not cached.
    # Reused tracks come from the state without their timings, which only the manifest
    # needs and which it has as text (``entries``): a library has 100,000 of them.
    work = _Work(plan, started, state, reporter)
    for page in plan.pages if state is not None and use_cache else ():
        if not page.jobs:
            continue
        known = state.reuse(_page_key(page), {"jobs": page.print}, explain=False)
        if known is not None and all(os.path.exists(job.path) for job in page.jobs):
            for job, track, entry in zip(page.jobs, *known):
                work.ready[job.path], work.entries[job.rel_path] = track, entry
            work.pages_ready.add(_page_id(page))
    # Kept plans are light (no speech text or tags): the pages not reused whole get theirs.
    work.plan = plan = complete(plan, work.pages_ready, articles, config, Path(output_dir),
                                cache_dir, engine)
    todo = list(plan.jobs)
    for page in plan.pages if state is not None and use_cache else ():
        if page.jobs and _page_id(page) not in work.pages_ready:
            for job in page.jobs:
                known = state.reuse(f"audio:{job.rel_path}", _audio_parts(job),
                                    Path(job.path))
                if known is not None:
                    work.ready[job.path], work.entries[job.rel_path] = known
    work.fresh = fresh = list({j.key: j for j in todo if j.path not in work.ready
                               and not (use_cache and _cached(j))}.values())
    if speaker is not None and 0 < len(fresh) <= WARM_SECTIONS:
        # A few changed sections (a translator's edits): the build's warm speaker has the
        # engine loaded already (warm_speaker.py) and speaks them one after the other while
        # the build renders; a pool would cost more in start-up than the speech.
        try:
            voices = speaker.voice_ids()
        except RuntimeError as exc:  # espeak-ng missing or broken: the pages still build
            return _engine_unavailable(exc, todo, silent, reporter)
        check_voices(config, voices)
        try:
            for job in fresh:
                speaker.start(job)
        except RuntimeError as exc:  # the warm speaker died
            for job in fresh:
                work.done(job, 0.0, str(exc))
            return work.result()
        keys = {job.key for job in fresh}
        waiting = frozenset(_page_id(page) for page in plan.pages
                            if any(job.key in keys for job in page.jobs))

        def finish() -> SpeakResult:
            failure = ""
            for job in fresh:  # answers come in the order the jobs were sent
                try:
                    if failure:
                        raise RuntimeError(failure)
                    work.done(job, *speaker.answer())
                except RuntimeError as exc:  # the warm speaker died: so did the rest
                    failure = str(exc)
                    work.done(job, 0.0, failure)
            return work.result()

        return SpeechInProgress(waiting, work.result(leave_out=waiting, partial=True), finish)
    if fresh:
        workers = min(jobs if jobs > 0 else os.cpu_count() or 1, len(fresh))
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                 initializer=speech_worker.init, initargs=(factory,)) as pool:
            try:
                voices = pool.submit(speech_worker.voice_ids).result()
            except Exception as exc:  # espeak-ng missing or broken: the pages still build
                return _engine_unavailable(exc, todo, silent, reporter)
            check_voices(config, voices)
            # Longest sections first, so no worker is left with a long one at the end.
            ordered = sorted(fresh, key=lambda j: -sum(len(u.text) for u in j.utterances))
            futures = {pool.submit(speech_worker.speak_job, job): job for job in ordered}
            for future in progress_bar(as_completed(futures), "audio", reporter,
                                       len(futures)):
                try:
                    decode_error, error = future.result()
                except BrokenProcessPool as exc:
                    decode_error, error = 0.0, f"worker process died ({exc})"
                work.done(futures[future], decode_error, error)
    return work.result()


class _Work:
    """What ``speak_articles`` found and made, turned into a SpeakResult (and recorded in the
    build state) once every fresh section is done."""

    def __init__(self, plan: Any, started: float, state: Any, reporter: Reporter):
        self.plan, self.started, self.state, self.reporter = plan, started, state, reporter
        self.ready: dict[str, AudioTrack] = {}  # output path -> track, reused
        self.entries: dict[str, str] = {}  # relative path -> manifest line
        self.pages_ready: set[tuple[str, str]] = set()  # pages whose audio is reused whole
        self.fresh: list[SectionJob] = []
        self.errors: dict[str, str] = {}  # speech key -> why it failed
        self.decode_errors = [0.0]
        self.synth_wall = 0.0

    def done(self, job: SectionJob, decode_error: float, error: str) -> None:
        if error:
            self.errors[job.key] = error
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
            if job.key in self.errors:
                message = f"audio for {job.label} failed: {self.errors[job.key]}"
                self.reporter.error(self.plan.where[job.path], message, "audio-failed")
                failures.append(AudioFailure(message, job.slug, job.locale, job.section_id))
                continue
            if job.path in self.ready:
                tracks.append(self.ready[job.path])
            else:
                tracks.append(_publish(job))
                self.ready[job.path] = tracks[-1]  # published once, whether partial or not
                entries[job.rel_path] = track_entry(tracks[-1])
                if state is not None:
                    state.record(f"audio:{job.rel_path}", _audio_parts(job),
                                 (_stored(tracks[-1]), entries[job.rel_path]))
            durations[job.key] = tracks[-1].duration
        silent = self.plan.silent_locales
        if partial:
            return SpeakResult(tuple(tracks), silent,
                               track_entries=tuple(entries[t.path] for t in tracks))
        if state is not None:
            done = {track.path: track for track in tracks}
            for page in self.plan.pages:
                if page.jobs and _page_id(page) not in self.pages_ready and \
                        all(job.rel_path in done for job in page.jobs):
                    state.record(_page_key(page), {"jobs": page.print},
                                 (tuple(_stored(done[job.rel_path]) for job in page.jobs),
                                  tuple(entries[job.rel_path] for job in page.jobs)))
        wall = time.perf_counter() - self.started
        audio = sum(t.duration for t in tracks)
        fresh, fresh_keys = self.fresh, {j.key for j in self.fresh} - set(self.errors)
        fresh_audio = sum(durations[k] for k in fresh_keys)
        return SpeakResult(tuple(tracks), silent, tuple(failures), audio, wall,
                           fresh_audio / self.synth_wall if fresh and self.synth_wall else 0.0,
                           sum(t.size for t in tracks), max(self.decode_errors),
                           len(fresh_keys),
                           len(self.plan.jobs) - len(fresh) - len(failures), fresh_audio,
                           tuple(entries[track.path] for track in tracks))


def _engine_unavailable(exc: Exception, todo: list[SectionJob], silent: tuple[str, ...],
                        reporter: Reporter) -> SpeakResult:
    """espeak-ng missing or broken: every section fails, the pages still build."""
    message = f"speech engine unavailable, pages are built without audio: {exc}"
    reporter.error(Location(CONFIG_NAME), message, "audio-failed")
    return SpeakResult(silent_locales=silent, failures=tuple(
        AudioFailure(message, j.slug, j.locale, j.section_id) for j in todo))


def _stored(track: AudioTrack) -> AudioTrack:
    return replace(track, timings=()) if track.timings else track


def _page_id(page: PagePlan) -> tuple[str, str]:
    return page.jobs[0].locale, page.jobs[0].slug


def _page_key(page: PagePlan) -> str:
    return "audio-page:{}:{}".format(*_page_id(page))


def _audio_parts(job: SectionJob) -> dict[str, str]:
    return {"speech": job.key, "tags": fingerprint(job.tags)}


def _engine_identity(factory: EngineFactory) -> str:
    """Names the engine and versions in cache keys, so an upgrade re-synthesizes."""
    versions = [_installed_version(name) for name in ("espeakng-loader", "pyttsx3")]
    engine = "espeakng-loader {} pyttsx3 {}".format(*versions) if all(versions) else "unknown"
    # Audio cached before each utterance started from a fresh state (tts/espeak_state.py)
    # depended on what its worker spoke before: "fresh-state" keeps it out of new builds.
    engine += " fresh-state"
    # From the metadata: importing soundfile (and numpy) would slow every rebuild.
    encoder = _installed_version("soundfile")
    if encoder is None:
        import soundfile

        encoder = soundfile.__version__
    return f"{getattr(factory, '__qualname__', repr(factory))} {engine} sf {encoder}"


def _installed_version(name: str) -> str | None:
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


def _cached(job: SectionJob) -> bool:
    return Path(job.cache).is_file() and Path(job.cache).with_suffix(".json").is_file()


def _publish(job: SectionJob) -> AudioTrack:
    """Copy the cached section audio to its page's place, with this page's ID3 tags."""
    cache = Path(job.cache)
    meta = json.loads(cache.with_suffix(".json").read_text(encoding="utf-8"))
    data = tag_mp3(cache.read_bytes(), job.tags)
    write_bytes_atomic(Path(job.path), data)
    timings = tuple(SegmentTiming(*t) for t in meta["timings"])
    return AudioTrack(job.locale, job.slug, job.section_id, job.rel_path, job.voice,
                      meta["duration"], len(data), timings)
