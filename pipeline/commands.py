"""The catalog commands (extract, update) and import, each ending in a one-line summary."""
from __future__ import annotations

import io
import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pipeline import __version__
from pipeline.config import Config, chosen_locales
from pipeline.fsutil import WriteError, write_text_atomic
from pipeline.model import Article, Issue, Location, Severity, UpdateResult
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter
from pipeline.state import BuildState, bytes_fingerprint, file_fingerprint, fingerprint
from pipeline.stages.update import po_path_for, update_catalog

# Parsing and page modules load only in the commands that need them: `update` runs in CI
# and editors' save hooks, where start-up time is most of its time.


def read_sources(config: Config, reporter: Reporter, read=None) -> list[Article]:
    from pipeline.stages.read import load_articles

    if not config.source_dir.is_dir():
        reporter.error(Location(config.rel(config.source_dir)), "no source folder",
                       "no-sources")
        return []
    return load_articles(config.source_dir, config.root, config.source_language, reporter,
                         read)


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
        key = f"pot:{path.stem}"
        parts = {"source": done.file(path), "settings": done.settings, "pot": done.file(pot)}
        plans.append((path, rel, pot, key, parts, done.reuse(key, parts, pot)))
    outcomes = _extract_all(config, [(path, rel) for path, rel, *_, known in plans
                                     if known is None], jobs)
    written = messages = extracted = 0
    for _path, _rel, pot, key, parts, known in progress_bar(plans, "extract", reporter):
        if known is None:
            outcome = next(outcomes)
            for issue in outcome.issues:
                reporter.add(issue)
            if outcome.messages is None:
                continue
            written += outcome.written
            known = (outcome.messages, outcome.issues)
            done.forget(pot)
            done.record(key, {**parts, "pot": done.file(pot)}, known)
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


def update(config: Config, reporter: Reporter, locales: list[str] | None = None,
           check_only: bool = False) -> str:
    """Merge every POT into every configured locale's PO (GNU msgmerge, in parallel)."""
    chosen = chosen_locales(config, locales, reporter)
    pots = sorted(config.locales_dir.glob("*.pot")) if config.locales_dir.is_dir() else []
    if not pots:
        reporter.error(Location(config.rel(config.locales_dir)), "no templates; run "
                       "'pipeline extract' first", "no-templates")
    # A PO merged from exactly these POT and PO bytes before is already up to date: skipping
    # msgmerge keeps an update of hundreds of catalogs fast when one source changed.
    state = BuildState.load(config.root / ".pipeline-cache" / "update-state.pickle")
    templates = _read_templates(config, pots, reporter)  # read once, used for every locale
    pots = [pot for pot in pots if pot in templates]
    pot_prints = {pot: bytes_fingerprint(data) for pot, data in templates.items()}
    locales_rel = config.rel(config.locales_dir)

    def merge_inputs(pot: Path, po_print: str, code: str) -> str:
        return fingerprint(__version__, pot_prints[pot], po_print, code, config.name)

    def run(job: tuple[Path, str, Path, str]) -> UpdateResult | None:
        pot, code, po, rel = job
        try:
            result = update_catalog(pot, po, rel, code, pot.stem, config.name,
                                    write=not check_only, pot=templates[pot])
        except ContentError as exc:
            reporter.add(exc.issue)
            return None
        if not check_only:
            state.record(rel, merge_inputs(pot, result.fingerprint, code))
        return result

    results: list[UpdateResult] = []
    new, merges = [], []
    for code in chosen:
        for pot in pots:
            po = po_path_for(config.locales_dir, code, pot.stem)
            rel = f"{locales_rel}/{code}/LC_MESSAGES/{pot.stem}.po"
            if not po.exists():
                new.append((pot, code, po, rel))
            elif state.fresh(rel, merge_inputs(pot, file_fingerprint(po), code)):
                results.append(UpdateResult(pot.stem, code, po, created=False, written=False))
            else:
                merges.append((pot, code, po, rel))
    # New catalogs are assembled in Python (no msgmerge), faster without thread switches;
    # merges wait on msgmerge processes, so threads keep the cores busy.
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = itertools.chain(map(run, new), pool.map(run, merges))
        for result in progress_bar(done, "update", reporter, total=len(new) + len(merges)):
            if result is not None:
                results.append(result)
    changed = [r for r in results if r.written]
    if not check_only:
        state.save()
    if check_only:
        return _report_stale(config, reporter, results, changed)
    created = sum(r.created for r in results)
    return (f"update: {len(chosen)} locale(s), {len(results)} catalog(s): {created} created, "
            f"{len(changed) - created} updated, {len(results) - len(changed)} unchanged; "
            f"{reporter.tally()}")


def _read_templates(config: Config, pots: list[Path], reporter: Reporter
                    ) -> dict[Path, bytes]:
    """Each template's bytes; one that cannot be read (a folder named x.pot...) is reported
    and left out."""
    templates = {}
    for pot in pots:
        try:
            templates[pot] = pot.read_bytes()
        except OSError as exc:
            reporter.error(Location(config.rel(pot)), f"cannot read: {exc.strerror}",
                           "unreadable")
    return templates


def _report_stale(config: Config, reporter: Reporter, results: list[UpdateResult],
                  changed: list[UpdateResult]) -> str:
    """``update --check``: an error for each catalog whose content is out of date, saying what
    changed; a note for one that differs only in form (wrapping, CRLF), which is not stale."""
    stale = [r for r in changed if r.differences]
    for r in changed:
        where = Location(config.rel(r.po_path))
        if r.differences:
            reporter.error(where, "catalog is out of date with its template: "
                           f"{'; '.join(r.differences)}; run 'pipeline update'", "stale-catalog")
        else:
            reporter.add(Issue(where, Severity.NOTE, "only the formatting differs from what "
                               "'pipeline update' writes (line wrapping, line ends or field "
                               "order); the content is up to date", "catalog-format"))
    return (f"update --check: {len(results)} catalog(s) checked, {len(stale)} out of date, "
            f"{len(changed) - len(stale)} differing only in format; {reporter.tally()}")


def import_text(config: Config, reporter: Reporter, files: list[Path], force: bool) -> str:
    from pipeline.stages.importer import import_export

    written = 0
    for path in files:
        try:
            result = import_export(path)
        except ContentError as exc:
            reporter.add(exc.issue)
            continue
        target = config.source_dir / f"{result.slug}.md"
        if target.exists() and not force:
            reporter.error(Location(config.rel(target)), "exists already; use --force to "
                           "replace it", "import-exists")
            continue
        for guess in result.guesses:
            reporter.progress(f"{path}:{guess.line}: note: {guess.message}")
        try:
            written += write_text_atomic(target, result.markdown)
        except WriteError as exc:
            reporter.add(exc.issue)
            continue
        reporter.progress(f"wrote {config.rel(target)}")
    return f"import: {len(files)} file(s), {written} written; {reporter.tally()}"
