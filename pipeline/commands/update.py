"""``pipeline update``: every template merged into every configured locale's catalog (GNU
msgmerge, in parallel); ``--check`` says which catalogs are stale and what changed."""
from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import __version__
from pipeline.config import Config, chosen_locales
from pipeline.model import Issue, Location, Severity, UpdateResult
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter
from pipeline.state import BuildState, bytes_fingerprint, file_fingerprint, fingerprint
from pipeline.stages.speech_po import create_speech_po
from pipeline.stages.update import po_path_for, update_catalog


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
    lexicons = _speech_lexicons(config, reporter, chosen if locales else
                                [config.source_language, *chosen], check_only)
    if not check_only:
        state.save()
    if check_only:
        return _report_stale(config, reporter, results, changed)
    created = sum(r.created for r in results)
    return (f"update: {len(chosen)} locale(s), {len(results)} catalog(s): {created} created, "
            f"{len(changed) - created} updated, {len(results) - len(changed)} unchanged; "
            f"{f'{lexicons} speech lexicon(s) created; ' if lexicons else ''}"
            f"{reporter.tally()}")


def _speech_lexicons(config: Config, reporter: Reporter, locales: list[str],
                     check_only: bool) -> int:
    """An empty ``locales/<ll>/speech.po`` for each spoken locale that has none (the source
    language's too, when no ``-l`` narrows the run); one that exists is never touched.
    ``--check`` notes the missing ones (the built-in lexicon serves until then)."""
    created = 0
    for code in locales:
        try:
            path = create_speech_po(config, code, write=not check_only)
        except ContentError as exc:
            reporter.add(exc.issue)
            continue
        if path is not None and check_only:
            reporter.add(Issue(Location(config.rel(path)), Severity.NOTE, "no speech lexicon "
                               "yet; 'pipeline update' creates an empty one",
                               "speech-lexicon"))
        created += path is not None
    return created


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


def run(args, config: Config, reporter: Reporter) -> str:
    return update(config, reporter, args.locales, check_only=args.check)
