"""``pipeline build``: the command's options turned into BuildOptions for ``build()``."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from pipeline.config import Config
from pipeline.report import Reporter


@contextmanager
def early_speaker(args: Any) -> Iterator[Any]:
    """The build's warm speaker (stages/warm_speaker.py), forked as the command starts:
    before the configuration, the templates and the state load. Forked in ``build()`` it
    started 0.7-0.9 s into a one-msgstr rebuild (on a loaded machine) and was still loading
    espeak-ng and numpy when the build handed it the section: 0.25-0.5 s of waiting. None
    for other commands and ``--no-audio``; a build whose settings turn audio off closes it."""
    if getattr(args, "command", None) != "build" or args.no_audio:
        yield None
        return
    from pipeline.stages.warm_speaker import warm_speaker
    from pipeline.tts import default_engine

    with warm_speaker(True, default_engine) as speaker:
        yield speaker


def run(args, config: Config, reporter: Reporter) -> str:
    from pipeline.build import BuildOptions, build  # pages and speech load only here

    return build(config, reporter, BuildOptions(
        locales=tuple(args.locales or ()), audio=not args.no_audio, jobs=args.jobs,
        force=args.force, explain=args.explain, speaker=getattr(args, "speaker", None)))
