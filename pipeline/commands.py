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


def extract(config: Config, reporter: Reporter) -> str:
    from pipeline.incremental import Incremental
    from pipeline.stages.extract import extract_article, write_template
    from pipeline.ui import UI_DOMAIN, ui_template_entries

    # Sources and templates unchanged since the last extract are neither parsed nor rendered.
    done = Incremental(config, reporter, state_name="extract-state.pickle")
    articles = read_sources(config, reporter, read=done.read_article)
    written = messages = 0
    for article in progress_bar(articles, "extract", reporter):
        pot = config.locales_dir / f"{article.slug}.pot"
        key = f"pot:{article.slug}"
        parts = {"source": done.file(article.path), "settings": done.settings,
                 "pot": done.file(pot)}
        count = done.reuse(key, parts, pot)
        if count is None:
            result = extract_article(article, config.locales_dir, config.name)
            written += result.written
            count = result.messages
            done.forget(pot)
            done.record(key, {**parts, "pot": done.file(pot)}, count)
        messages += count
    done.finish()
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
    pot_prints = {pot: file_fingerprint(pot) for pot in pots}

    def merge_inputs(pot: Path, po: Path, code: str) -> str:
        return fingerprint(__version__, pot_prints[pot], file_fingerprint(po), code,
                           config.name)

    def run(job: tuple[Path, str]) -> UpdateResult | None:
        pot, code = job
        po = po_path_for(config.locales_dir, code, pot.stem)
        rel = config.rel(po)
        try:
            result = update_catalog(pot, po, rel, code, pot.stem, config.name,
                                    write=not check_only)
        except ContentError as exc:
            reporter.add(exc.issue)
            return None
        if not check_only:
            state.record(rel, merge_inputs(pot, po, code))
        return result

    unchanged: list[UpdateResult] = []
    todo = []
    for pot, code in jobs:
        po = po_path_for(config.locales_dir, code, pot.stem)
        if po.exists() and state.fresh(config.rel(po), merge_inputs(pot, po, code)):
            unchanged.append(UpdateResult(pot.stem, code, po, created=False, written=False))
        else:
            todo.append((pot, code))
    jobs = todo
    results: list[UpdateResult] = unchanged
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
