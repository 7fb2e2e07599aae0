"""``pipeline extract``: a template (POT) per article, and one for the site's own labels."""
from __future__ import annotations

import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from pipeline.config import Config
from pipeline.fsutil import WriteError
from pipeline.jobs import Job
from pipeline.model import Issue, Location
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter

# Parsing and page modules load only in the commands that need them: `update` runs in CI
# and editors' save hooks, where start-up time is most of its time.


def extract(config: Config, reporter: Reporter, jobs: int = 0) -> str:
    from pipeline.incremental import Incremental
    from pipeline.stages.extract import write_template
    from pipeline.stages.read import source_files
    from pipeline.ui import UI_DOMAIN, ui_template_entries

    if not config.source_dir.is_dir():
        reporter.error(Location(config.rel(config.source_dir)), "no source folder",
                       "no-sources")
        sources = []
    else:
        sources = source_files(config.source_dir, config.root, reporter)
    # A template whose source and settings are unchanged since the last extract is not even
    # parsed: its message count and the source's warnings come from the state.
    done = Incremental(config, reporter, state_name="extract-state.pickle")
    plans = []
    for path, rel in sources:
        pot = config.locales_dir / f"{path.stem}.pot"
        job = Job("pot", path.stem, {"source": done.file(path), "settings": done.settings,
                                     "pot": done.file(pot)}, pot)
        plans.append((path, rel, job, done.fresh(job)))
    outcomes = _extract_all(config, [(path, rel) for path, rel, _, known in plans
                                     if known is None], jobs)
    written = messages = extracted = 0
    for _path, _rel, job, known in progress_bar(plans, "extract", reporter):
        if known is None:
            outcome = next(outcomes)
            for issue in outcome.issues:
                reporter.add(issue)
            if outcome.messages is None:
                continue
            written += outcome.written
            known = (outcome.messages, outcome.issues)
            done.forget(job.target)
            done.record_job(replace(job, inputs={**job.inputs, "pot": done.file(job.target)}),
                            known)
        else:
            for issue in known[1]:
                reporter.add(issue)
        messages += known[0]
        extracted += 1
    done.finish()
    try:
        written += write_template(config.locales_dir / f"{UI_DOMAIN}.pot", UI_DOMAIN,
                                  ui_template_entries(), config.name).written
    except WriteError as exc:
        reporter.add(exc.issue)
    return (f"extract: {extracted} article(s), {messages} message(s), "
            f"{written} template(s) written, {extracted + 1 - written} unchanged; "
            f"{reporter.tally()}")


@dataclass(frozen=True)
class _Extracted:
    messages: int | None  # None: the source could not be read
    issues: tuple[Issue, ...]
    written: bool = False


def _extract_all(config: Config, stale: list[tuple[Path, str]],
                 jobs: int = 0) -> Iterator[_Extracted]:
    """``_extract_one`` for each source, in order; ``jobs`` forked worker processes (0: one
    per core) share a large batch: parsing is most of a cold extract, in pure Python."""
    import pipeline.stages.extract  # noqa: F401  (loaded once, before forking)
    import pipeline.stages.read  # noqa: F401

    settings = (config.source_language, config.locales_dir, config.name)  # picklable
    workers = min(jobs or _cores(), len(stale) // 25)  # a small batch: not worth a fork
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_extract_one(settings, *job) for job in stale)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(_extract_one, *zip(*[(settings, *job) for job in stale]),
                            chunksize=max(1, len(stale) // (workers * 4)))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _extract_one(settings: tuple[str, Path, str], path: Path, rel: str) -> _Extracted:
    """Parse one source and write its template, collecting the source's problems (so that
    an unchanged source repeats its warnings without being parsed again)."""
    from pipeline.stages.extract import extract_article
    from pipeline.stages.read import read_article

    collect = Reporter(stream=io.StringIO(), quiet=True)
    try:
        article = read_article(path, rel, settings[0], collect)
        result = extract_article(article, settings[1], settings[2])
    except (ContentError, WriteError) as exc:  # unusable source, unwritable template
        return _Extracted(None, (*collect.issues, exc.issue))
    return _Extracted(result.messages, tuple(collect.issues), result.written)


def run(args, config: Config, reporter: Reporter) -> str:
    return extract(config, reporter, jobs=args.jobs)
