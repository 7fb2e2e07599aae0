"""Where a build's CPU-heavy jobs run: this machine's processes (the default), or a Dask
cluster (``build --scheduler tcp://HOST:8786``, ``[build] scheduler``, or the
``DASK_SCHEDULER_ADDRESS`` environment variable).

A job is a pure function of a small, picklable value (a frozen dataclass) that returns bytes:
a section's MP3 and timings, later a PDF or an EPUB. The build process writes what comes back
through its one writer and its audio cache, so the build state, the caches and ``output/``
stay on one machine whichever way the jobs ran, and the bytes are the same.

``executor_for(address, workers)`` gives the build's executor (one per address, kept for the
build; ``close_executors()`` ends them). Both kinds answer ``map(fn, items)`` with a ``Done``
per item as it finishes; a Dask task that raises is tried once more (``RETRIES``) and a task
whose worker died is rescheduled by Dask. Speech has its own runners, as a section can hang
or crash espeak-ng: speech_pool.SpeechPool here, cluster_speech.ClusterSpeech on a cluster.

Dask is imported only when a scheduler is named. The scheduler is reached within
CONNECT_SECONDS or the build stops with ``ClusterError`` (``pipeline: error: cannot reach the
Dask scheduler at ...``); losing it mid-build stops it the same way, before anything of the
phase is written to ``output/``, with what was finished kept for the next build.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

from pipeline.config import scheduler_address as config_address

# (socket, logging, multiprocessing and Dask are imported where they are used: every rebuild
# imports this module, and most never start a process.)

ENVIRONMENT = "DASK_SCHEDULER_ADDRESS"
CONNECT_SECONDS = 5.0  # a scheduler answers in milliseconds; a wrong address must not hang
RETRIES = 1  # a failing task is tried once more, then reported
LOCAL = "local"  # ``--scheduler local``: this machine, whatever the settings say


class ClusterError(RuntimeError):
    """The Dask scheduler cannot be reached or was lost: the build stops (exit 1)."""


def scheduler_address(option: str | None, configured: str) -> str:
    """The scheduler to use: ``--scheduler``, else the environment variable, else
    ``[build] scheduler`` (checked when the settings load); "" for this machine's processes.
    ValueError, naming where the address came from, for a malformed one."""
    for value, name in ((option, "--scheduler"), (os.environ.get(ENVIRONMENT), ENVIRONMENT),
                        (configured, "[build] scheduler")):
        if value and value.strip():
            try:
                return "" if value.strip() == LOCAL else config_address(value)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
    return ""


@dataclass(frozen=True)
class Done:
    """One item's outcome: its index in the items given, the function's value, or why it
    failed ("" when it did not)."""

    index: int
    value: Any = None
    error: str = ""


class LocalExecutor:
    """This machine: with one worker, jobs run in the build's own process (no start-up);
    otherwise on spawned processes, started on first use."""

    description = ""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._pool: Any = None  # a ProcessPoolExecutor

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Done]:
        if self.workers == 1 or len(items) <= 1:
            for index, item in enumerate(items):
                yield _call(fn, index, item)
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from multiprocessing import get_context

        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        futures = {self._pool.submit(fn, item): index for index, item in enumerate(items)}
        for future in as_completed(futures):
            error = future.exception()
            yield Done(futures[future], None if error else future.result(),
                       why(error) if error else "")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """A Dask cluster, through ``distributed.Client``."""

    def __init__(self, address: str):
        self.address = address
        _reachable(address)
        _quiet_dask()
        try:
            from distributed import Client
        except ImportError as exc:
            raise ClusterError(f"cannot use the Dask scheduler at {address}: {exc}; install "
                               "the cluster extra (uv sync --locked --extra cluster)") from None
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    @property
    def description(self) -> str:
        """``Dask cluster tcp://...: 2 workers, 2 threads`` (as the summary names it)."""
        threads = self.nthreads()
        return (f"Dask cluster {self.address}: {len(threads)} worker(s), "
                f"{sum(threads.values())} thread(s)")

    def nthreads(self) -> dict[str, int]:
        """Worker address -> threads, now."""
        try:
            return dict(self.client.nthreads())
        except (OSError, TimeoutError) as exc:
            raise self.lost(exc) from None

    def submit(self, fn: Callable, *args: Any, **options: Any) -> Any:
        """A future for ``fn(*args)``, never merged with another's (``pure=False``)."""
        try:
            return self.client.submit(fn, *args, pure=False, **options)
        except (OSError, TimeoutError, RuntimeError) as exc:
            raise self.lost(exc) from None

    def completed(self, futures: Iterable[Any]) -> Iterator[tuple[Any, Any, BaseException | None]]:
        """(future, value, exception) as each finishes; ClusterError when the scheduler is
        lost (Dask then cancels every future)."""
        from distributed import as_completed as dask_completed

        for future in dask_completed(list(futures), loop=self.client.loop):
            if future.status == "cancelled":
                raise self.lost(_cancel_reason(future))
            try:
                yield future, future.result(), None
            except Exception as exc:  # the task's own error, after its retry
                if future.status == "cancelled" or self.client.status != "running":
                    raise self.lost(exc) from None
                yield future, None, exc

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Done]:
        futures = {self.submit(fn, item, retries=RETRIES): index
                   for index, item in enumerate(items)}
        try:
            for future, value, error in self.completed(futures):
                yield Done(futures[future], value, why(error) if error else "")
        finally:
            self.cancel(futures)

    def cancel(self, futures: Iterable[Any]) -> None:
        """Forget what is still queued (a build that stops leaves the cluster idle)."""
        if self.client.status == "running":
            try:
                self.client.cancel([f for f in futures if not f.done()])
            except (OSError, TimeoutError, RuntimeError):
                pass

    def lost(self, cause: Any) -> ClusterError:
        return ClusterError(f"lost the Dask scheduler at {self.address} ({cause}); the "
                            "build stopped: what was finished is kept, and the next build "
                            "resumes from there")

    def close(self) -> None:
        try:
            self.client.close(timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, RuntimeError):
            pass


Executor = LocalExecutor | DaskExecutor
_open: dict[tuple[str, int], Executor] = {}


def executor_for(address: str, workers: int) -> Executor:
    """The build's executor for ``address`` ("" = this machine, ``workers`` processes),
    made on first use and kept until ``close_executors()``: each kind of job shares it."""
    key = (address, 0 if address else workers)
    executor = _open.get(key)
    if isinstance(executor, DaskExecutor) and executor.client.status != "running":
        executor = None  # a scheduler lost by an earlier build in this process
    if executor is None:
        executor = _open[key] = DaskExecutor(address) if address else LocalExecutor(workers)
    return executor


def close_executors() -> None:
    while _open:
        _open.popitem()[1].close()


def _reachable(address: str) -> None:
    """Fail at once on a refused connection or an unknown host (Dask retries those until
    its timeout, and its import alone takes seconds)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme not in ("tcp", "tls") or not parts.hostname:
        return
    try:
        with socket.create_connection((parts.hostname, parts.port or 8786),
                                      timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        said = exc.strerror or str(exc) or type(exc).__name__
        if isinstance(exc, socket.timeout):
            said = f"no answer within {CONNECT_SECONDS:.0f} s"
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {said}") from None


def _quiet_dask() -> None:
    """The build says what went wrong in one line; Dask's client would log tracebacks of
    its reconnection attempts."""
    import logging

    for name in ("distributed.client", "distributed.comm", "distributed.core",
                 "distributed.batched", "distributed.utils"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _cancel_reason(future: Any) -> str:
    try:
        future.result(timeout=0)
    except Exception as exc:
        return str(exc) or type(exc).__name__
    return "cancelled"


def _call(fn: Callable[[Any], Any], index: int, item: Any) -> Done:
    try:
        return Done(index, fn(item))
    except Exception as exc:  # reported by the caller, naming what the item was
        return Done(index, None, why(exc))


def why(error: BaseException) -> str:
    name = type(error).__name__
    if name == "KilledWorker":
        return "the Dask workers running it died (each time it was tried)"
    return str(error) or name
