"""Progress for long work: a tqdm bar on a terminal, quiet in pipes and CI logs."""
from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

from pipeline.report import Reporter

T = TypeVar("T")


def progress_bar(items: Iterable[T], label: str, reporter: Reporter,
                 total: int | None = None) -> Iterator[T]:
    show = not reporter.quiet and reporter.stream.isatty() if hasattr(
        reporter.stream, "isatty") else False
    if not show:
        yield from items
        return
    from tqdm import tqdm  # imported only for a terminal: it costs start-up time

    yield from tqdm(items, desc=label, total=total, file=sys.stderr,
                    unit="job", leave=False)
