"""Command line: ``pipeline [-C DIR] COMMAND``. Exit 0 on success, 1 on content errors,
2 on usage errors."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import __version__
from pipeline.fsutil import WriteError, confined
from pipeline.model import Location
from pipeline.report import ContentError, Reporter

if TYPE_CHECKING:  # loaded by _main, after the build's speaker is forked
    from pipeline.config import Config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline", description="Publish patient health "
                                     "articles as accessible, translated pages with audio.")
    _global_options(parser, defaults=True)
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    # The global switches are accepted after the command too (`pipeline check --strict -l es`,
    # `pipeline build -q`), as users write them; there they only override when given.
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    imp = command("import", help="turn health-library text exports into source/*.md")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE.txt")
    imp.add_argument("--force", action="store_true", help="replace existing sources")

    ext = command("extract", help="write locales/<slug>.pot from the sources")
    ext.add_argument("-j", "--jobs", type=int, default=0, help="worker processes for parsing "
                     "(default: all cores)")

    upd = command("update", help="create or merge locales/<ll>/LC_MESSAGES/<slug>.po")
    upd.add_argument("-l", "--locale", action="append", dest="locales", metavar="LOCALE")
    upd.add_argument("--check", action="store_true", help="exit 1 without writing when "
                     "catalogs are out of date (for CI)")
    upd.add_argument("--no-memory", action="store_true", help="do not pre-fill new entries "
                     "from the locale's other catalogs and memory file")

    chk = command("check", help="check translations (numbers, links, markup, glossary)")
    chk.add_argument("-l", "--locale", action="append", dest="locales", metavar="LOCALE")

    sts = command("stats", help="translation progress per locale and article")
    sts.add_argument("-l", "--locale", action="append", dest="locales", metavar="LOCALE")
    sts.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sts.add_argument("--analysis", action="store_true", help="source words of the work "
                     "left, in match bands against the translation memory")

    xlo = command("export-xliff", help="a locale's catalogs as XLIFF 1.2 for CAT tools")
    xlo.add_argument("-l", "--locale", required=True, metavar="LOCALE")
    xlo.add_argument("-o", "--output", type=Path, metavar="FILE_OR_DIR", help="a folder for "
                     "one file per catalog (default: xliff/), or one .xlf file for all")
    xli = command("import-xliff", help="translations from XLIFF files into the catalogs")
    xli.add_argument("-l", "--locale", required=True, metavar="LOCALE")
    xli.add_argument("files", nargs="+", type=Path, metavar="FILE.xlf")

    bld = command("build", help="build the site (pages, audio, manifest) in output/")
    bld.add_argument("-l", "--locale", action="append", dest="locales", metavar="LOCALE")
    bld.add_argument("--no-audio", action="store_true", help="build pages only")
    bld.add_argument("-j", "--jobs", type=int, default=0, help="worker processes "
                     "(default: all cores)")
    bld.add_argument("--force", action="store_true", help="rebuild everything, re-synthesize "
                     "all audio")
    bld.add_argument("--explain", action="store_true", help="say why each job ran")
    bld.add_argument("--scheduler", metavar="ADDRESS", help="speak on a Dask cluster, e.g. "
                     "tcp://HOST:8786 (default: [build] scheduler, DASK_SCHEDULER_ADDRESS; "
                     "'local': this machine)")
    return parser


def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    def default(value):
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("-C", dest="root", type=Path, default=default(Path(".")),
                        metavar="DIR", help="content project folder (default: the current "
                        "folder)")
    parser.add_argument("--strict", action="store_true", default=default(False),
                        help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", default=default(False),
                        help="print only problems and the summary")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from pipeline.commands.build import early_speaker

    with early_speaker(args) as args.speaker:  # first: it loads while the rest does
        return _main(args)


def _main(args: argparse.Namespace) -> int:
    from pipeline.config import load_config

    root: Path = args.root
    if not root.is_dir():
        print(f"pipeline: error: -C {root}: no such folder", file=sys.stderr)
        return 2
    reporter = Reporter(strict=args.strict, quiet=args.quiet)
    try:
        config = load_config(root)
    except ContentError as exc:
        reporter.add(exc.issue)
        print(f"pipeline: stopped: the configuration has an error; {reporter.tally()}",
              file=sys.stderr)
        return 1
    with confined(config.root):  # no write lands outside the project
        if not _at_the_door(args.command, config, reporter):
            print(f"pipeline: stopped: nothing was read or written; {reporter.tally()}",
                  file=sys.stderr)
            return 1
        try:
            summary = _run(args, config, reporter)
        except KeyboardInterrupt:
            print("pipeline: interrupted; finished files are complete, nothing half-written "
                  "was left", file=sys.stderr)
            return 130
        except WriteError as exc:  # a full disk, a folder in the way: the run stops there
            reporter.add(exc.issue)
            print(f"pipeline: stopped; files written are complete, nothing half-written was "
                  f"left; {reporter.tally()}", file=sys.stderr)
            return 1
        except (RuntimeError, OSError) as exc:  # missing tools, other environment problems
            print(f"pipeline: error: {exc}", file=sys.stderr)
            return 1
    try:
        print(summary, flush=True)
    except BrokenPipeError:  # output piped into head, less...
        sys.stderr.close()
    return reporter.exit_code()


def _at_the_door(command: str, config: Config, reporter: Reporter) -> bool:
    """Refuse a project that links outside itself, and (for build) an output folder that
    cannot be written, before anything is read or written; True when all is well.

    Catalogs are read in several places, so a link is refused here, once. Sources and
    images are checked where they are read (read.py, site.py), and every write by
    fsutil."""
    from pipeline.confine import links_out, output_problems

    refused = [*links_out(config.locales_dir, config.root),
               *links_out(config.root / "templates", config.root)]
    for folder in (config.output_dir, config.root / ".pipeline-cache"):
        if folder.is_symlink():  # not walked: fsutil refuses writes through deeper links
            refused += links_out(folder, config.root)
    for path in refused:
        reporter.error(Location(_lexical(path, config)), "is a symbolic link leading "
                       "outside the project; it is not followed", "path")
    if command == "build" and not refused:
        for path, reason in output_problems(config.output_dir):
            reporter.error(Location(_lexical(path, config)), f"cannot write: {reason}",
                           "unwritable")
    return not reporter.errors


def _lexical(path: Path, config: Config) -> str:
    """A path as messages print it, without following links (config.rel follows them)."""
    return str(path.relative_to(config.root)) if path.is_relative_to(config.root) else str(path)


def _run(args: argparse.Namespace, config, reporter: Reporter) -> str:
    """The command's module (commands/), imported only when it runs."""
    import importlib

    from pipeline.commands import COMMANDS

    return importlib.import_module(COMMANDS[args.command]).run(args, config, reporter)
