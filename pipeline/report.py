"""Collects issues as ``path:line: severity: message [code]`` and decides the exit code."""
from __future__ import annotations

import sys
import threading
from typing import TextIO

from pipeline.model import Issue, Location, Severity


class ContentError(Exception):
    """A problem in one input file; the stage that raised it skips that file, others go on."""

    def __init__(self, location: Location, message: str, code: str):
        super().__init__(f"{location}: error: {message} [{code}]")
        self.issue = Issue(location, Severity.ERROR, message, code)


class Reporter:
    """Prints issues as they are found and remembers them for the summary and exit code."""

    def __init__(self, stream: TextIO | None = None, strict: bool = False, quiet: bool = False):
        self.stream = stream if stream is not None else sys.stderr
        self.strict = strict
        self.quiet = quiet
        self.issues: list[Issue] = []
        self._lock = threading.Lock()

    def add(self, issue: Issue) -> None:
        with self._lock:
            self.issues.append(issue)
            print(issue, file=self.stream, flush=True)

    def warn(self, location: Location, message: str, code: str) -> None:
        self.add(Issue(location, Severity.WARNING, message, code))

    def error(self, location: Location, message: str, code: str) -> None:
        self.add(Issue(location, Severity.ERROR, message, code))

    def progress(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)

    def failed(self) -> bool:
        return self.errors > 0 or (self.strict and self.warnings > 0)

    def exit_code(self) -> int:
        return 1 if self.failed() else 0

    def tally(self) -> str:
        return f"{self.errors} error(s), {self.warnings} warning(s)"
