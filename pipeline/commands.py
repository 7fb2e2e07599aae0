"""The catalog commands (extract, update) and import, each ending in a one-line summary."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import __version__
from pipeline.config import Config
from pipeline.fsutil import write_text_atomic
from pipeline.model import Article, Location, UpdateResult
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter
from pipeline.state import BuildState, file_fingerprint, fingerprint
from pipeline.stages.extract import extract_article, write_template
from pipeline.ui import UI_DOMAIN, ui_template_entries
from pipeline.stages.read import load_articles
from pipeline.stages.update import po_path_for, update_catalog


def read_sources(config: Config, reporter: Reporter, read=None) -> list[Article]:
    if not config.source_dir.is_dir():
        reporter.error(Location(config.rel(config.source_dir)), "no source folder",
                       "no-sources")
        return []
    return load_articles(config.source_dir, config.root, config.source_language, reporter,
                         read)


def extract(config: Config, reporter: Reporter) -> str:
    articles = read_sources(config, reporter)
    written = messages = 0
    for article in progress_bar(articles, "extract", reporter):
        result = extract_article(article, config.locales_dir, config.name)
        written += result.written
        messages += result.messages
    ui = write_template(config.locales_dir / f"{UI_DOMAIN}.pot", UI_DOMAIN,
                        ui_template_entries(), config.name)
    written += ui.written
    return (f"extract: {len(articles)} article(s), {messages} message(s), "
            f"{written} template(s) written, {len(articles) + 1 - written} unchanged; "
            f"{reporter.tally()}")


def update(config: Config, reporter: Reporter, locales: list[str] | None = None,
           check_only: bool = False) -> str:
    """Merge every POT into every configured locale's PO (GNU msgmerge, in parallel)."""
    chosen = locales or list(config.locales)
    for code in chosen:
        if code not in config.locales:
            reporter.error(Location("pipeline.toml"), f"locale '{code}' is not in "
                           "project.locales", "unknown-locale")
    chosen = [c for c in chosen if c in config.locales]
    pots = sorted(config.locales_dir.glob("*.pot")) if config.locales_dir.is_dir() else []
    if not pots:
        reporter.error(Location(config.rel(config.locales_dir)), "no templates; run "
                       "'pipeline extract' first", "no-templates")
    jobs = [(pot, code) for code in chosen for pot in pots]
    # A PO merged from exactly these POT and PO bytes before is already up to date: skipping
    # msgmerge keeps an update of hundreds of catalogs fast when one source changed.
    state = BuildState.load(config.root / ".pipeline-cache" / "update-state.pickle")

    def merge_inputs(pot: Path, po: Path, code: str) -> str:
        return fingerprint(__version__, file_fingerprint(pot), file_fingerprint(po), code,
                           config.name)

    def run(job: tuple[Path, str]) -> UpdateResult | None:
        pot, code = job
        po = po_path_for(config.locales_dir, code, pot.stem)
        rel = config.rel(po)
        if po.exists() and state.fresh(rel, merge_inputs(pot, po, code)):
            return UpdateResult(pot.stem, code, po, created=False, written=False)
        try:
            result = update_catalog(pot, po, rel, code, pot.stem, config.name,
                                    write=not check_only)
        except ContentError as exc:
            reporter.add(exc.issue)
            return None
        if not check_only:
            state.record(rel, merge_inputs(pot, po, code))
        return result

    results: list[UpdateResult] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for result in progress_bar(pool.map(run, jobs), "update", reporter, total=len(jobs)):
            if result is not None:
                results.append(result)
    changed = [r for r in results if r.written]
    if not check_only:
        state.save()
    if check_only:
        for r in changed:
            reporter.error(Location(config.rel(r.po_path)), "catalog is out of date with its "
                           "template; run 'pipeline update'", "stale-catalog")
        return (f"update --check: {len(results)} catalog(s) checked, {len(changed)} out of "
                f"date; {reporter.tally()}")
    created = sum(r.created for r in results)
    return (f"update: {len(chosen)} locale(s), {len(results)} catalog(s): {created} created, "
            f"{len(changed) - created} updated, {len(results) - len(changed)} unchanged; "
            f"{reporter.tally()}")


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
        written += write_text_atomic(target, result.markdown)
        reporter.progress(f"wrote {config.rel(target)}")
    return f"import: {len(files)} file(s), {written} written; {reporter.tally()}"
