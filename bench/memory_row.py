"""Figure i: ``pipeline update`` with the translation memory against ``update --no-memory``.

The set-up a library meets every week: the benchmark corpus (every catalog translated), an
update already run (its state is warm), then ``--new`` new articles written in the corpus's
style (bench/corpus.py: the same sentences, list items and headings recombined, so the memory
has exact and near matches to offer) and extracted. Each round copies that project twice and
runs ``update`` in one copy and ``update --no-memory`` in the other, alternating which goes
first, so that both meet the same machine. The ratio of the medians is judged (at most
1.5x); a second, informational pair times an update that has nothing to do.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench import corpus
from bench.measure import Run, copy_project, median

TARGET = 1.5  # update with memory / without, at most
NEW_ARTICLES = 10


def measure(bench, project: Path) -> None:
    """Add figure i's rows to ``bench`` (a bench.run.Bench) for the corpus at ``project``."""
    from bench.run import RUNS, status_of

    n = len(list((project / "source").glob("*.md")))
    bench.log(f"i. update with the translation memory vs --no-memory, {n} articles + "
              f"{NEW_ARTICLES} new")
    base = RUNS / "memory-base"
    copy_project(project, base)
    # The state an everyday update starts from: last week's update (which added an article,
    # so it read the memory and left its cache), then this week's new articles, extracted.
    articles = corpus.make_sources(n + 1 + NEW_ARTICLES)[n:]
    steps = [bench.pipeline(base, "update")]
    for number, (slug, text) in enumerate(articles):
        (base / "source" / f"{slug}.md").write_text(text, encoding="utf-8")
        if number == 0:
            steps += [bench.pipeline(base, "extract"), bench.pipeline(base, "update")]
    steps.append(bench.pipeline(base, "extract"))
    if not all(step.ok for step in steps):
        bench.row("i", "update with memory vs --no-memory", "failed", status="FAIL")
        return
    times, cpu, said = {}, {}, ""
    for label, changed in (("new", True), ("noop", False)):
        runs = _pairs(bench, base, changed)
        times[label] = {mode: median([r.wall for r in rs if r.ok]) for mode, rs in runs.items()}
        cpu[label] = {mode: median([r.cpu for r in rs if r.ok]) for mode, rs in runs.items()}
        bench.raw[f"i_{label}"] = {mode: [r.summary() for r in rs] for mode, rs in runs.items()}
        said = said or next((r.stdout.strip().splitlines()[-1] for r in runs["memory"]
                             if r.ok and r.stdout.strip()), "")
    shutil.rmtree(base, ignore_errors=True)
    mine, plain = times["new"]["memory"], times["new"]["no-memory"]
    if mine is None or plain is None:
        bench.row("i", "update with memory vs --no-memory", "failed", status="FAIL")
        return
    ratio = mine / plain
    bench.row("i", f"update after {NEW_ARTICLES} new articles, memory / --no-memory: "
              f"{mine:.2f}s / {plain:.2f}s", round(ratio, 2), "x", f"<= {TARGET:g}",
              status_of(ratio <= TARGET), _detail(bench, times, cpu, said))


def _pairs(bench, base: Path, changed: bool) -> dict[str, list[Run]]:
    """``update`` and ``update --no-memory`` on fresh copies of ``base``, --reps times each,
    alternating which runs first; with ``changed`` False, the copies are updated once first
    (untimed), so the timed update has nothing to do."""
    from bench.run import RUNS

    runs: dict[str, list[Run]] = {"memory": [], "no-memory": []}
    modes = {"memory": (), "no-memory": ("--no-memory",)}
    for i in range(bench.args.reps):
        order = list(modes) if i % 2 == 0 else list(reversed(modes))
        for mode in order:
            copy = RUNS / f"memory-{mode}"
            copy_project(base, copy, with_output=True)
            if not changed:
                bench.pipeline(copy, "update", *modes[mode])
            result = bench.pipeline(copy, "update", *modes[mode])
            runs[mode].append(result)
            bench.log(f"  i {'new' if changed else 'noop'} {mode} #{i + 1}: "
                      f"{result.wall:.2f}s wall, {result.cpu:.1f}s CPU"
                      + ("" if result.ok else " (FAILED)"))
            shutil.rmtree(copy, ignore_errors=True)
    return runs


def _detail(bench, times: dict[str, dict[str, float | None]],
            cpu: dict[str, dict[str, float | None]], summary: str) -> str:
    noop, new = times["noop"], cpu["new"]
    parts = [f"medians of {bench.args.reps}, alternating",
             f"CPU {_seconds(new['memory'])} with memory, {_seconds(new['no-memory'])} "
             "without",
             f"nothing to do: {_seconds(noop['memory'])} with memory, "
             f"{_seconds(noop['no-memory'])} without"]
    if summary:
        parts.append(f"with memory: {summary}")
    return "; ".join(parts)


def _seconds(value: float | None) -> str:
    return "failed" if value is None else f"{value:.2f}s"


if __name__ == "__main__":  # python -m bench.memory_row: this figure alone
    from bench.run import main

    sys.exit(main(["--only", "i", *sys.argv[1:]]))
