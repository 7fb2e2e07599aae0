"""``pipeline build``: the command's options turned into BuildOptions for ``build()``."""
from __future__ import annotations

from pipeline.config import Config
from pipeline.report import Reporter


def run(args, config: Config, reporter: Reporter) -> str:
    from pipeline.build import BuildOptions, build  # pages and speech load only here

    return build(config, reporter, BuildOptions(
        locales=tuple(args.locales or ()), audio=not args.no_audio, jobs=args.jobs,
        force=args.force, explain=args.explain))
