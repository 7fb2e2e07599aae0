"""``pipeline build``: the command's options turned into BuildOptions for ``build()``."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Iterator

from pipeline.config import Config
from pipeline.report import Reporter


@contextmanager
def early_speaker(args: Any) -> Iterator[Any]:
    """The build's warm speaker (stages/warm_speaker.py), forked as the command starts:
    before the configuration, the templates and the state load. Forked in ``build()`` it
    started 0.7-0.9 s into a one-msgstr rebuild (on a loaded machine) and was still loading
    espeak-ng and numpy when the build handed it the section: 0.25-0.5 s of waiting. None
    for other commands, ``--no-audio`` and builds on a Dask cluster named by ``--scheduler``
    or the environment (the cluster speaks even one section); a build whose settings turn
    audio off, or name a scheduler, closes it unused."""
    if getattr(args, "command", None) != "build" or args.no_audio or _on_cluster(args):
        yield None
        return
    from pipeline.stages.warm_speaker import warm_speaker
    from pipeline.tts import default_engine

    with warm_speaker(True, default_engine) as speaker:
        yield speaker


def _on_cluster(args: Any) -> bool:
    from pipeline.stages.executor import scheduler_address

    try:
        return bool(scheduler_address(args.scheduler, ""))
    except ValueError:  # reported by run()
        return True


def run(args, config: Config, reporter: Reporter) -> str:
    from pipeline.build import BuildOptions, build  # pages and speech load only here
    from pipeline.stages.executor import close_executors, scheduler_address

    try:
        config = replace(config, scheduler=scheduler_address(args.scheduler, config.scheduler))
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    try:
        return build(config, reporter, BuildOptions(
            locales=tuple(args.locales or ()), audio=not args.no_audio, jobs=args.jobs,
            force=args.force, explain=args.explain, speaker=getattr(args, "speaker", None)))
    finally:
        close_executors()  # the Dask client, if the build connected one
