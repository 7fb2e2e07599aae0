"""``pipeline import``: health-library text exports turned into ``source/<slug>.md``."""
from __future__ import annotations

from pathlib import Path

from pipeline.config import Config
from pipeline.fsutil import WriteError, write_text_atomic
from pipeline.model import Location
from pipeline.report import ContentError, Reporter


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


def run(args, config: Config, reporter: Reporter) -> str:
    return import_text(config, reporter, args.files, args.force)
