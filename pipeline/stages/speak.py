"""Speak stage: ``LocalizedSection`` -> ``output/<lang>/audio/<slug>/<section>.mp3``.

Each section becomes one MP3 that reads its heading, paragraphs, list items, image alt text and
citations in page order. A segment the page shows in the source language (untranslated, invalid
or a citation) is read by the source language's voice, as the page marks it with ``lang``: a
Spanish voice reading English words is unintelligible. A locale without a voice gets no audio
at all rather than a wrong-language one.

Synthesis runs in worker processes (speech_worker.py), one engine each (pyttsx3 is not
thread-safe, and forking a process that has initialised espeak-ng deadlocks): a pool started
with "spawn" (speech_pool.py), or for a few sections the build's warm speaker
(warm_speaker.py). Every job has a time limit, and a crash or an overrun fails that section
alone (speak_result.py says what happens to its page and its earlier audio).

With a Dask scheduler (``config.scheduler``: ``build --scheduler``, executor.py), the sections
go to the cluster instead (cluster_speech.py), even one: the warm speaker is not used, and the
speech comes back as bytes that are stored in this machine's audio cache.
"""
from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from pipeline.config import CONFIG_NAME, Config
from pipeline.model import LocalizedArticle, Location
from pipeline.progress import progress_bar
from pipeline.report import Reporter
from pipeline.stages.audio_plan import SectionJob, complete, plan_audio
from pipeline.stages.engine_versions import installed_version as _installed_version
from pipeline.stages.executor import ClusterError, DaskExecutor, executor_for
from pipeline.stages.speak_result import (AudioFailure, SpeakResult, SpeechInProgress, Work,
                                          is_cached, page_id, page_job, section_job)
from pipeline.stages.speech_pool import SpeechPool
from pipeline.stages.warm_speaker import SpeakerGone
from pipeline.tts import EngineFactory, default_engine
from pipeline.tts.voices import check_voices
from pipeline.writer import OutputWriter

__all__ = ["AudioFailure", "SpeakResult", "SpeechInProgress", "WARM_SECTIONS", "speak_articles"]

# Up to this many changed sections go to the warm speaker, one after the other: at about
# 0.2 s each, overlapped with rendering, that beats starting a pool (measured on 2 cores).
WARM_SECTIONS = 8


def speak_articles(articles: Sequence[LocalizedArticle], config: Config, output_dir: Path,
                   jobs: int, reporter: Reporter,
                   engine_factory: EngineFactory | None = None,
                   cache_dir: Path | None = None, state: Any = None,
                   use_cache: bool = True,
                   page_inputs: Mapping[tuple[str, str], str] | None = None,
                   speaker: Any = None, synthesize: bool = True,
                   writer: OutputWriter | None = None) -> SpeakResult | SpeechInProgress:
    """Write one MP3 per section of every article whose locale has a voice.

    ``jobs`` is the number of worker processes (0: one per CPU). A section whose audio fails
    (a segment too long, a job over its time limit, a worker crash, audio that fails its
    checks) is reported as an ``audio-failed`` error at the failing segment's line and listed
    in ``failures``; its page is built without that player; the other sections go on.
    Raises ContentError when ``audio.voices`` names an unknown voice.
    ``state`` (an Incremental) and ``page_inputs`` let unchanged pages and sections be reused.
    ``writer`` (the build's OutputWriter) publishes the MP3s. ``speaker`` (a WarmSpeaker)
    speaks up to WARM_SECTIONS changed sections, which are not waited for: a
    SpeechInProgress is returned while it speaks (a fifth of a one-edit rebuild). Without a
    speaker, the result is always a SpeakResult. With ``synthesize`` False (``build
    --no-audio``) nothing is spoken: audio already made for the same text is published as
    before, and sections that would need speech get no player. ``config.scheduler`` sends
    the sections to a Dask cluster; ClusterError when it cannot be reached or is lost.
    """
    started = time.perf_counter()
    factory = engine_factory or default_engine
    cache_dir = Path(cache_dir or config.root / ".pipeline-cache" / "audio")
    engine = _engine_identity(factory)
    plan = plan_audio(articles, config, Path(output_dir), cache_dir, engine, state, page_inputs)
    if not plan.jobs:
        return SpeakResult(silent_locales=plan.silent_locales)
    work = Work(plan, started, state, reporter, writer or OutputWriter(output_dir))
    _reuse(work, state if use_cache else None)
    # Kept plans are light (no speech text or tags): the pages not reused whole get theirs.
    work.plan = plan = complete(plan, work.pages_ready, articles, config, Path(output_dir),
                                cache_dir, engine)
    todo = list(plan.jobs)
    _reuse_sections(work, state if use_cache else None)
    fresh = list({j.key: j for j in todo if j.path not in work.ready
                  and not (use_cache and is_cached(j))}.values())
    if not synthesize:
        work.skipped = {job.key for job in fresh}
        return work.result()
    for job in fresh:
        if job.problem:  # never reaches a voice (audio_plan.py)
            work.done(job, 0.0, job.problem, job.problem_part)
    work.fresh = fresh = [job for job in fresh if not job.problem]
    if speaker is not None and 0 < len(fresh) <= WARM_SECTIONS and not config.scheduler:
        # A few changed sections (a translator's edits): the build's warm speaker has the
        # engine loaded already (warm_speaker.py) and speaks them one after the other while
        # the build renders; a pool would cost more in start-up than the speech.
        spoken = _speak_warm(speaker, fresh, work, config, factory, jobs, reporter)
        if spoken is not None:
            return spoken
    return _speak_rest(fresh, work, config, factory, jobs, reporter)


def _speak_rest(fresh: list[SectionJob], work: Work, config: Config, factory: EngineFactory,
                jobs: int, reporter: Reporter) -> SpeakResult:
    """Speak ``fresh`` on a pool or the cluster and give the whole result."""
    if not fresh:
        return work.result()
    try:
        where = _speak_in_pool(fresh, work, factory, jobs, reporter,
                               lambda voices: check_voices(config, voices), config.scheduler)
    except ClusterError:  # the build stops: nothing of this phase is in output/ yet
        raise
    except RuntimeError as exc:  # espeak-ng missing or broken: the pages still build
        return _engine_unavailable(exc, list(work.plan.jobs), work.plan.silent_locales,
                                   reporter)
    return replace(work.result(), where=where) if where else work.result()


def _reuse_sections(work: Work, state: Any) -> None:
    """Sections of pages not reused whole whose speech, tags and file are unchanged."""
    for page in work.plan.pages if state is not None else ():
        if page.jobs and page_id(page) not in work.pages_ready:
            for job in page.jobs:
                known = state.fresh(section_job(job))
                if known is not None:
                    work.ready[job.path], work.entries[job.rel_path] = known


def _reuse(work: Work, state: Any) -> None:
    """A section whose speech and tags are unchanged and whose file is in place needs
    nothing; checked a page at a time first (a library has 13,000 sections). Reused tracks
    come from the state without their timings, which only the manifest needs and which it
    has as text (``entries``): a library has 100,000 of them."""
    for page in work.plan.pages if state is not None else ():
        if not page.jobs:
            continue
        known = state.fresh(page_job(page))
        if known is not None and all(os.path.exists(job.path) for job in page.jobs):
            for job, track, entry in zip(page.jobs, *known):
                work.ready[job.path], work.entries[job.rel_path] = track, entry
            work.pages_ready.add(page_id(page))


def _speak_warm(speaker: Any, fresh: list[SectionJob], work: Work, config: Config,
                factory: EngineFactory, jobs: int, reporter: Reporter
                ) -> SpeakResult | SpeechInProgress | None:
    """Hand ``fresh`` to the warm speaker; None when it is gone (the pool speaks them)."""
    try:
        voices = speaker.voice_ids()
    except RuntimeError as exc:
        if isinstance(exc, SpeakerGone):  # the process died, not the engine: use a pool
            return None
        return _engine_unavailable(exc, list(work.plan.jobs), work.plan.silent_locales,
                                   reporter)
    check_voices(config, voices)
    try:
        for job in fresh:
            speaker.start(job)
    except RuntimeError:  # it died: the pool speaks them all
        return None
    keys = {job.key for job in fresh}
    waiting = frozenset(page_id(page) for page in work.plan.pages
                        if any(job.key in keys for job in page.jobs))

    def finish() -> SpeakResult:
        rest = list(fresh)  # answers come in the order the jobs were sent
        while rest:
            try:
                work.done(rest[0], *speaker.answer())
            except RuntimeError as exc:  # it died or was stopped: the rest go to a pool
                if isinstance(exc, SpeakerGone) and exc.timed_out:
                    work.done(rest.pop(0), 0.0, str(exc), exc.part)
                break
            rest.pop(0)
        if rest:
            try:
                _speak_in_pool(rest, work, factory, jobs, reporter)
            except RuntimeError as exc:
                for job in rest:
                    work.done(job, 0.0, f"speech engine unavailable: {exc}")
        return work.result()

    return SpeechInProgress(waiting, work.result(leave_out=waiting, partial=True), finish)


def _speak_in_pool(fresh: list[SectionJob], work: Work, factory: EngineFactory, jobs: int,
                   reporter: Reporter, check: Any = None, scheduler: str = "") -> str:
    """Speak ``fresh`` on a new pool of worker processes, or on the Dask cluster at
    ``scheduler``; RuntimeError when the engine cannot start, ClusterError when the
    scheduler cannot be reached or is lost. ``check`` is given the engine's voice ids
    first. Returns where the sections were spoken ("" for this machine) for the summary."""
    workers = min(jobs if jobs > 0 else os.cpu_count() or 1, len(fresh))
    executor = executor_for(scheduler, workers) if scheduler else None
    with _speech_runner(executor, factory, workers, reporter) as pool:
        voices = pool.voice_ids()
        if check is not None:
            check(voices)
        # Longest sections first, so no worker is left with a long one at the end.
        ordered = sorted(fresh, key=lambda j: -sum(len(u.text) for u in j.utterances))
        for job, *outcome in progress_bar(pool.speak(ordered), "audio", reporter,
                                          len(ordered)):
            work.done(job, *outcome)
    return executor.description if executor is not None else ""


def _speech_runner(executor: DaskExecutor | None, factory: EngineFactory, workers: int,
                   reporter: Reporter) -> Any:
    """The local pool (SpeechPool), or the cluster's runner: both answer ``voice_ids()``
    and ``speak(jobs)`` with the same outcomes."""
    if executor is None:
        return SpeechPool(factory, workers)
    from pipeline.stages.cluster_speech import ClusterSpeech

    return ClusterSpeech(executor, factory, reporter)


def _engine_unavailable(exc: Exception, todo: list[SectionJob], silent: tuple[str, ...],
                        reporter: Reporter) -> SpeakResult:
    """espeak-ng missing or broken: every section fails, the pages still build."""
    message = f"speech engine unavailable, pages are built without audio: {exc}"
    reporter.error(Location(CONFIG_NAME), message, "audio-failed")
    return SpeakResult(silent_locales=silent, failures=tuple(
        AudioFailure(message, j.slug, j.locale, j.section_id) for j in todo))


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
