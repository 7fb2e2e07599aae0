"""The benchmark: ``make bench`` (or ``.venv/bin/python -m bench.run [options]``).

Not a test: it measures and prints a table of figures against their targets, and writes
``bench/results.json``. See BENCHMARKS.md for how to read it. Each figure is the median of
``--reps`` runs; a rebuild that is far over its target (longer than ``--slow-limit`` seconds)
is measured once, since repeating it tells nothing new.

  a  cold full build with audio, on the first --audio-articles articles (a fresh copy: no
     output/, no .pipeline-cache/): wall time, audio produced, real-time factor
  b  the floor: the same speech texts through ``espeak-ng -w`` and the same MP3 encoder on the
     same number of processes (bench/floor.py); cold / floor ratio
  c  no-op rebuild of all --articles articles: pages only, and with audio (the whole corpus
     built once with audio first, from an audio cache kept in bench/work between runs;
     --quick: with audio on the --audio-articles subset instead)
  d  one msgstr changed in one PO file, rebuild: same set-ups; sections synthesized
  e  extract + update against Sphinx's gettext builder + sphinx-intl, cold and warm
  f  peak memory of the builds (largest process, and the whole process tree)
  g  pages-only full build and no-op at --sizes articles: is the cost linear?
  h  the speech text (speak_sentences on every segment of a's build, bench/normalise.py) as
     a share of a's cold build
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

from bench import cluster_rows, corpus, memory_row, normalise, outreach_rows, sphinx_project
from bench.measure import (Run, copy_project, load_average, machine_info, median, run,
                           set_aside, settle_filesystem)

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "work"
RUNS = WORK / "runs"
RESULTS = REPO / "bench" / "results.json"
SPHINX_VENV = WORK / "sphinx-venv"
AUDIO_CACHE = WORK / "audio-cache"  # speech of the whole corpus, kept between runs

TARGETS = {
    "cold_over_floor": 1.25,  # at most
    "noop_seconds": 2.0,  # below
    "one_msgstr_seconds": 1.0,  # below
    "sections_synthesized": 1,  # exactly
    "catalogs_speedup": 5.0,  # at least
    "peak_memory_mb": 500.0,  # below
    "doubling_factor": 2.2,  # doubling the articles at most doubles the time (+10%)
    "speech_text_share": 0.03,  # below: speech text (issue 14) / cold build with audio
}


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[dict] = []
        self.raw: dict[str, object] = {}
        self.notes: list[str] = []
        self.memory: dict[str, Run] = {}
        self.started = time.perf_counter()
        self.force = False

    # -- helpers -------------------------------------------------------------------------

    def log(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed / 60:5.1f} min] {message}", flush=True)

    def pipeline(self, project: Path, *args: str) -> Run:
        result = run([sys.executable, "-m", "pipeline", "-C", str(project), "-q", *args],
                     cwd=REPO)
        if not result.ok:
            self.log(f"  ! pipeline {' '.join(args)} exited {result.returncode}: "
                     f"{result.stderr.strip()[-400:]}")
        return result

    def build(self, project: Path, *args: str) -> Run:
        since = time.time()
        result = self.pipeline(project, "build", "-j", str(self.args.jobs), *args)
        result.extra["last_build"] = read_last_build(project, since)
        result.extra["summary"] = result.stdout.strip().splitlines()[-1:] or [""]
        name = " ".join(["pipeline build", *args, f"in runs/{project.name}"])
        if result.ok and result.tree_rss_mb > getattr(self.memory.get(name), "tree_rss_mb", -1):
            self.memory[name] = result  # the worst run of each kind, for f
        return result

    def repeat(self, label: str, once, reps: int | None = None, adaptive: bool = True,
               first: int = 0) -> list[Run]:
        """Run ``once(i)`` reps times; stop early when a run is slower than --slow-limit."""
        reps = reps or self.args.reps
        runs: list[Run] = []
        for i in range(first, first + reps):
            result = once(i)
            runs.append(result)
            result.extra["load_after"] = round(load_average(), 2)
            self.log(f"  {label} #{i + 1}: {result.wall:.2f}s wall, {result.cpu:.1f}s CPU, "
                     f"{result.tree_rss_mb:.0f} MB, load {result.extra['load_after']:.1f}"
                     + ("" if result.ok else " (FAILED)"))
            if adaptive and result.wall > self.args.slow_limit and i + 1 < first + reps:
                self.log(f"  {label}: over --slow-limit {self.args.slow_limit:.0f}s, "
                         "measured once")
                break
        self.raw[label] = [r.summary() for r in runs]
        return runs

    def row(self, key: str, label: str, value, unit: str = "", target: str = "",
            status: str = "info", detail: str = "") -> None:
        self.rows.append({"key": key, "label": label, "value": value, "unit": unit,
                          "target": target, "status": status, "detail": detail})

    # -- the corpus ----------------------------------------------------------------------

    def corpora(self) -> dict[int, Path]:
        sizes = sorted({self.args.articles, self.args.audio_articles,
                        *(s for s in self.args.sizes if s <= self.args.articles)} - {0})
        full = corpus.generate(self.args.articles, log=self.log)
        found = {self.args.articles: full}
        for n in sizes:
            if n != self.args.articles:
                found[n] = corpus.subset(full, n, WORK / str(n), log=self.log)
        return found

    # -- a, b, h: cold audio build, its floor, its speech text ------------------------------

    def cold_and_floor(self, project: Path) -> Path | None:
        """a, b and h, interleaved (cold, floor, speech text, cold, floor...) so that other
        work on the machine weighs on all alike."""
        k = self.args.audio_articles
        label = f"{k} article(s) x {len(corpus.LOCALES)} locales (+ en)"
        reps = self.args.audio_reps or self.args.reps
        with_floor = shutil.which("espeak-ng") is not None and "b" in (self.args.only or "b")
        with_speech = "h" in (self.args.only or "h")
        self.log(f"a. cold build with audio, {label}" + (
            f"; b. floor: espeak-ng -w + soundfile MP3, {self.args.jobs} process(es)"
            if with_floor else "") + ("; h. speech text alone" if with_speech else ""))
        target = RUNS / "audio"
        out = RUNS / "floor-output"

        def cold(i: int) -> Run:
            copy_project(project, target)
            result = self.build(target)
            result.extra.update(audio_stats(target))
            from bench.floor import speech_print_of_cache  # numpy, soundfile: audio runs only

            result.extra["speech_print"], result.extra["speech_entries"] = \
                speech_print_of_cache(target / ".pipeline-cache" / "audio")
            return result

        def floor(i: int) -> Run:
            return json_run([sys.executable, "-m", "bench.floor", str(project), str(out),
                             "-j", str(self.args.jobs)])

        def speech(i: int) -> Run:
            return json_run([sys.executable, "-m", "bench.normalise", str(project)])

        runs, attempts, texts = [], [], []
        for i in range(reps):
            runs += self.repeat("a_cold_audio", cold, 1, adaptive=False, first=i)
            if with_floor:
                attempts += self.repeat("b_floor", floor, 1, adaptive=False, first=i)
            if with_speech:
                texts += self.repeat("h_speech_text", speech, 1, adaptive=False, first=i)
        self.raw["a_cold_audio"] = [r.summary() for r in runs]
        self.raw["b_floor"] = [r.summary() for r in attempts]
        self.raw["h_speech_text"] = [r.summary() for r in texts]
        shutil.rmtree(out, ignore_errors=True)
        good = [r for r in runs if r.ok]
        if not good:
            self.row("a", f"cold build with audio ({label})", "failed", status="FAIL",
                     detail=(runs[-1].stderr.strip().splitlines() or ["?"])[-1])
            return None
        self.cold_rows(good, label)
        if with_floor:
            self.floor_rows(runs, attempts)
        elif "b" in (self.args.only or "b"):
            self.row("b", "floor (espeak-ng -w + same MP3 encoder)", "n/a", status="n/a",
                     detail="espeak-ng not installed (bash bench/setup.sh espeak)")
        if with_speech:
            self.speech_rows(runs, texts)
        return target

    def cold_rows(self, good: list[Run], label: str) -> None:
        k, n = self.args.audio_articles, self.args.articles
        cold_wall = median([r.wall for r in good])
        audio_s = good[-1].extra.get("audio_seconds")
        sections = good[-1].extra.get("audio_files")
        cold_cpu = median([r.cpu for r in good])
        self.row("a", f"cold build with audio ({label}, {sections} sections)",
                 round(cold_wall, 2), "s", detail=f"{len(good)} run(s); CPU {cold_cpu:.1f}s; "
                 f"{n} articles would take about {duration(cold_wall * n / k)} "
                 "(proportional estimate)")
        self.row("a", "  audio produced / real-time factor (audio s per wall s)",
                 f"{audio_s / 60:.1f} min / {audio_s / cold_wall:.0f}x" if audio_s else "n/a")
        self.raw["a_summary"] = {"wall": cold_wall, "cpu": cold_cpu, "audio_seconds": audio_s,
                                 "sections": sections, "subset_articles": k}

    def floor_rows(self, runs: list[Run], attempts: list[Run]) -> None:
        good = [r for r in runs if r.ok]
        floors = [r for r in attempts if r.ok]
        if not floors:
            why = (attempts[-1].stderr.strip().splitlines() or ["?"])[-1]
            self.row("b", "floor (espeak-ng -w + same MP3 encoder)", "failed", status="FAIL",
                     detail=f"bench/floor.py: {why}")
            return
        last, sections = floors[-1].extra, good[-1].extra.get("audio_files")
        if last["sections"] != sections:
            self.notes.append(f"the floor spoke {last['sections']} sections, the build "
                              f"{sections}: bench/floor.py no longer plans like the build")
        same = last.get("speech_print") == good[-1].extra.get("speech_print")
        if not same:
            self.notes.append("the floor's speech text differs from the sentences in the cold "
                              "build's audio cache: bench/floor.py no longer speaks like the "
                              "build (row b compares different texts)")
        # The floor's own clock covers synthesis + encoding only (not Python start-up or
        # localizing and speech text, which it needs only to learn the texts).
        floor_wall = median([r.extra["wall"] for r in floors])
        floor_cpu = median([r.cpu for r in floors])
        synth = median([r.extra["synth_seconds"] for r in floors])
        encode = median([r.extra["encode_seconds"] for r in floors])
        self.row("b", f"floor: espeak-ng -w + soundfile MP3, {self.args.jobs} processes, "
                 "same speech text", round(floor_wall, 2), "s",
                 detail=f"{len(floors)} run(s); {last['sections']} sections, {last['parts']} "
                        f"espeak-ng calls ({last.get('sentences')} sentences), "
                        f"{last['audio_seconds'] / 60:.1f} min, "
                        f"{last['audio_seconds'] / floor_wall:.0f}x real time; CPU "
                        f"{floor_cpu:.1f}s; worker time: espeak-ng "
                        f"{100 * synth / (synth + encode):.0f}%, MP3 encoding "
                        f"{100 * encode / (synth + encode):.0f}%; sentences "
                        + ("identical to the cold build's audio cache (speech print "
                           f"{last.get('speech_print')})" if same else "DIFFER from the "
                           "cold build's"))
        self.ratio_rows(runs, attempts)

    def ratio_rows(self, runs: list[Run], attempts: list[Run]) -> None:
        good, floors = [r for r in runs if r.ok], [r for r in attempts if r.ok]
        cold_wall, cold_cpu = median([r.wall for r in good]), median([r.cpu for r in good])
        floor_wall = median([r.extra["wall"] for r in floors])
        floor_cpu = median([r.cpu for r in floors])
        synth = median([r.extra["synth_seconds"] for r in floors])
        encode = median([r.extra["encode_seconds"] for r in floors])
        ratio = cold_wall / floor_wall
        pairs = [c.wall / f.extra["wall"] for c, f in zip(runs, attempts) if c.ok and f.ok]
        best = min(r.wall for r in good) / min(r.extra["wall"] for r in floors)
        self.row("b", "cold build / floor", round(ratio, 2), "x",
                 f"<= {TARGETS['cold_over_floor']}",
                 status_of(ratio <= TARGETS["cold_over_floor"]),
                 f"ratio of the medians; per pair (cold run i / floor run i): "
                 f"{', '.join(f'{p:.2f}' for p in pairs)}; best / best: {best:.2f}; in CPU "
                 f"time: {cold_cpu / floor_cpu:.2f}x; cores kept busy: build "
                 f"{cold_cpu / cold_wall:.1f}, floor {floor_cpu / floor_wall:.1f} of "
                 f"{self.args.jobs}")
        encode_only = encode / self.args.jobs
        self.row("b", "  MP3 encoding alone (the floor's encode time / processes)",
                 round(encode_only, 2), "s",
                 detail="what no change to synthesis can remove; cold build / this = "
                        f"{cold_wall / encode_only:.2f}x")
        last = floors[-1].extra
        self.raw["b_summary"] = {"wall": floor_wall, "cpu": floor_cpu, "pair_ratios": pairs,
                                 "best_ratio": best,
                                 "audio_seconds": last["audio_seconds"], "ratio": ratio,
                                 "cpu_ratio": cold_cpu / floor_cpu,
                                 "synth_seconds": synth, "encode_seconds": encode,
                                 "same_speech_text": last.get("speech_print") ==
                                 good[-1].extra.get("speech_print")}

    def speech_rows(self, runs: list[Run], texts: list[Run]) -> None:
        """h: the speech text's time (bench/normalise.py, a fresh process each run, as a
        build) as a share of the cold build's wall time, run by run."""
        limit = TARGETS["speech_text_share"]
        if not any(t.ok for t in texts):
            why = (texts[-1].stderr.strip().splitlines() or ["?"])[-1] if texts else "not run"
            self.row("h", "speech text / cold build", "failed", status="FAIL",
                     detail=f"bench/normalise.py: {why}")
            return
        label, share, detail, self.raw["h_summary"] = normalise.figure(runs, texts)
        self.row("h", label, round(100 * share, 2), "%", f"< {100 * limit:g}",
                 status_of(share < limit), detail)

    # -- c, d with audio: rebuilds of the whole corpus with its audio --------------------------

    def full_audio(self, project: Path) -> Path | None:
        """The whole corpus built with audio, for the rebuild figures. Its speech goes to an
        audio cache kept in bench/work between runs (content-addressed, like the pipeline's
        own), so only the first benchmark on a machine synthesizes all of it."""
        n = self.args.articles
        target = RUNS / "audio-full"
        copy_project(project, target)
        AUDIO_CACHE.mkdir(parents=True, exist_ok=True)
        kept = sum(1 for _ in AUDIO_CACHE.glob("*/*.json"))
        (target / ".pipeline-cache").mkdir()
        (target / ".pipeline-cache" / "audio").symlink_to(AUDIO_CACHE, target_is_directory=True)
        self.log(f"c, d: the whole corpus with audio, {n} x {len(corpus.LOCALES)} + en"
                 + (f" ({kept} sections in the kept audio cache)" if kept else
                    " (nothing in the kept audio cache: a cold build, about 20 min on 2 cores)"))
        result = self.build(target)
        result.extra.update(audio_stats(target))
        self.raw["full_audio_build"] = result.summary()
        # The rebuilds get a cache of their own: the msgstr changes of d are the same in every
        # benchmark, and found in a kept cache they would not be synthesized. (Unchanged
        # sections are reused from the build state and output/, not from the cache.)
        (target / ".pipeline-cache" / "audio").unlink()
        (target / ".pipeline-cache" / "audio").mkdir()
        info = result.extra.get("last_build") or {}
        if not result.ok:
            self.row("c", f"full build with audio ({n} articles)", "failed", status="FAIL",
                     detail=(result.stderr.strip().splitlines() or ["?"])[-1])
            return None
        audio_s = result.extra.get("audio_seconds") or 0
        made, copied = info.get("sections_synthesized", 0), info.get("sections_cached", 0)
        if kept:
            how = (f"{made} sections synthesized, {copied} copied from the audio cache kept "
                   "from an earlier benchmark: not a cold figure")
        else:  # copied: sections whose speech another section of the corpus has too
            how = (f"cold: {made} sections synthesized, {copied} with the same speech as "
                   f"another copied; {audio_s / 60:.0f} min of audio, "
                   f"{audio_s / result.wall:.0f}x real time; largest process "
                   f"{result.max_rss_mb:.0f} MB")
        self.row("c", f"whole corpus built with audio, once ({n} articles, "
                 f"{result.extra.get('audio_files')} sections)", round(result.wall, 1), "s",
                 detail=f"{how}; the project the rebuilds with audio start from")
        return target

    def audio_rebuilds(self, primed: Path, articles: int) -> None:
        where = f"{articles} x {len(corpus.LOCALES)} + en, with audio"
        self.log(f"c. no-op rebuild, {where}")
        runs = self.repeat("c_noop_audio", lambda i: self.build(primed))
        self.rebuild_rows("c", f"no-op rebuild ({where})", runs, TARGETS["noop_seconds"])
        self.log(f"d. one-msgstr rebuild, {where}")

        def change_and_build(i: int) -> Run:
            what = change_one_msgstr(primed, i)
            result = self.build(primed)
            result.extra["changed"] = what
            return result

        runs = self.repeat("d_one_msgstr_audio", change_and_build)
        self.rebuild_rows("d", f"one-msgstr rebuild ({where})", runs,
                          TARGETS["one_msgstr_seconds"], sections=True)

    def rebuild_rows(self, key: str, label: str, runs: list[Run], limit: float,
                     sections: bool = False) -> None:
        good = [r for r in runs if r.ok]
        wall = median([r.wall for r in good])
        if wall is None:
            self.row(key, label, "failed", status="FAIL")
            return
        note = f"{len(good)} run(s)" + (
            f"; pipeline's own: {good[-1].extra['last_build'].get('seconds')}s"
            if good[-1].extra.get("last_build") else "; no last-build.json")
        self.row(key, label, round(wall, 2), "s", f"< {limit:g}", status_of(wall < limit), note)
        if sections:
            info = good[-1].extra.get("last_build")
            count = info.get("sections_synthesized") if info else None
            if count is None:
                self.row(key, "  sections synthesized after one msgstr", "n/a", "",
                         f"= {TARGETS['sections_synthesized']}", "n/a",
                         ".pipeline-cache/last-build.json missing")
            else:
                self.row(key, "  sections synthesized after one msgstr", count, "",
                         f"= {TARGETS['sections_synthesized']}",
                         status_of(count == TARGETS["sections_synthesized"]),
                         f"cached {info.get('sections_cached')}, pages rendered "
                         f"{info.get('pages_rendered')}, skipped {info.get('pages_skipped')}")

    # -- g (and c, d pages only at full size): scaling ---------------------------------------

    def scaling(self, projects: dict[int, Path]) -> None:
        sizes = sorted(s for s in self.args.sizes if s <= self.args.articles)
        if self.args.articles not in sizes:
            sizes.append(self.args.articles)
        full_times: dict[int, float] = {}
        noop_times: dict[int, float] = {}
        full_cpu: dict[int, float] = {}
        noop_cpu: dict[int, float] = {}
        for n in sizes:
            target = RUNS / f"pages-{n}"
            self.log(f"g. pages only (--no-audio), {n} article(s)")
            copy_project(projects[n], target)
            first = self.build(target, "--no-audio")
            self.log(f"  first build: {first.wall:.2f}s" + ("" if first.ok else " (FAILED)"))
            self.raw[f"g_first_{n}"] = first.summary()
            if not first.ok:
                continue
            noops = self.repeat(f"g_noop_{n}", lambda i: self.build(target, "--no-audio"))

            def full(i: int) -> Run:
                if self.force:
                    return self.build(target, "--no-audio", "--force")
                copy_project(projects[n], target)  # no --force yet: a fresh copy is a full build
                return self.build(target, "--no-audio")

            fulls = self.repeat(f"g_full_{n}", full, adaptive=False)
            full_times[n] = median([r.wall for r in fulls if r.ok])
            noop_times[n] = median([r.wall for r in noops if r.ok])
            full_cpu[n] = median([r.cpu for r in fulls if r.ok])
            noop_cpu[n] = median([r.cpu for r in noops if r.ok])
            if n == self.args.articles:
                where = f"{n} x {len(corpus.LOCALES)} + en, pages only"
                self.rebuild_rows("c", f"no-op rebuild ({where})", noops,
                                  TARGETS["noop_seconds"])
                self.log(f"d. one-msgstr rebuild, {where}")

                def change_and_build(i: int) -> Run:
                    what = change_one_msgstr(target, i)
                    result = self.build(target, "--no-audio")
                    result.extra["changed"] = what
                    return result

                runs = self.repeat("d_one_msgstr_pages", change_and_build)
                self.rebuild_rows("d", f"one-msgstr rebuild ({where})", runs,
                                  TARGETS["one_msgstr_seconds"])
        how = "--no-audio --force" if self.force else "--no-audio on a fresh copy (no --force)"
        for name, times, cpus in (("pages-only full build (" + how + ")", full_times, full_cpu),
                                  ("no-op rebuild (--no-audio)", noop_times, noop_cpu)):
            times = {n: t for n, t in times.items() if t is not None}
            cpus = {n: t for n, t in cpus.items() if t}
            if len(times) < 2 or len(cpus) < 2 or "g" not in (self.args.only or "g"):
                continue
            series = ", ".join(f"{n}: {t:.2f}s" for n, t in sorted(times.items()))
            factor = doubling_factor(cpus)  # CPU time: the work done, whatever else runs
            self.row("g", f"{name} at {series}", round(factor, 2), "x per doubling",
                     f"<= {TARGETS['doubling_factor']} (linear)",
                     status_of(factor <= TARGETS["doubling_factor"]),
                     f"judged on CPU time ({', '.join(f'{n}: {c:.2f}s' for n, c in sorted(cpus.items()))}); "
                     f"in wall time {doubling_factor(times):.2f}x per doubling; "
                     f"{1000 * times[max(times)] / max(times):.1f} ms per article at {max(times)}")
        self.raw["g_summary"] = {"full": full_times, "noop": noop_times, "full_cpu": full_cpu,
                                 "noop_cpu": noop_cpu, "method": how}

    # -- e: catalogs against Sphinx ------------------------------------------------------------

    def catalogs(self, project: Path) -> None:
        """Figure e, judged in a RAM file system, then on disk for information.

        Both tools write 1,809 files per round. On this kind of VM's ext4, creating files is
        several times slower for up to 5 minutes after thousands were deleted nearby (the
        benchmark's own clean-up, a test suite's temp folders, a corpus rebuilt after a
        code change): the cold figure swung from 6.8x to 3.1x between runs with no change
        to the code. /dev/shm measures the tools; the disk row shows what the disk adds.
        """
        shm = Path("/dev/shm")
        if shm.is_dir() and os.access(shm, os.W_OK):
            ram = Path(tempfile.mkdtemp(prefix="pipeline-bench-", dir=shm))
            try:
                self.catalogs_in(project, ram, "in RAM (/dev/shm)", judged=True)
            finally:
                shutil.rmtree(ram, ignore_errors=True)
            self.catalogs_in(project, RUNS, "on disk", judged=False)
        else:
            self.catalogs_in(project, RUNS, "on disk", judged=True)

    def catalogs_in(self, project: Path, base: Path, where: str, judged: bool) -> None:
        n = self.args.articles
        self.log(f"e. extract + update vs sphinx-build -b gettext + sphinx-intl, {n} articles, "
                 f"{where}")
        tag = "ram" if judged and base != RUNS else "disk"
        sphinx_build = SPHINX_VENV / "bin" / "sphinx-build"
        sphinx_intl = SPHINX_VENV / "bin" / "sphinx-intl"
        if not (sphinx_build.exists() and sphinx_intl.exists()):
            self.row("e", "extract + update vs Sphinx", "n/a", status="n/a",
                     detail="no Sphinx venv (bash bench/setup.sh sphinx)")
            return
        ours = base / "catalogs-pipeline"
        copy_project(project, ours)
        theirs = sphinx_project.write(project, base / "catalogs-sphinx")
        trash = base / ".trash"
        set_aside(ours / "locales", trash)
        langs = [arg for code in corpus.LOCALES for arg in ("-l", code)]
        settle_filesystem()

        def pipeline_round(cold: bool) -> Run:
            if cold:  # no catalogs and no caches (as Sphinx loses its doctrees below)
                set_aside(ours / "locales", trash)
                set_aside(ours / ".pipeline-cache", trash)
            parts = [self.pipeline(ours, "extract"), self.pipeline(ours, "update")]
            result = combine(parts)
            result.extra["split"] = {"extract": parts[0].wall, "update": parts[1].wall}
            return result

        def sphinx_round(cold: bool) -> Run:
            if cold:
                for folder in ("_build", "locales"):
                    set_aside(theirs / folder, trash)
            parts = [run([str(sphinx_build), "-q", "-b", "gettext", "-j", "auto", ".",
                          "_build/gettext"], cwd=theirs),
                     run([str(sphinx_intl), "update", "-p", "_build/gettext", "-d", "locales",
                          *langs], cwd=theirs)]
            result = combine(parts)
            result.extra["split"] = {"sphinx-build": parts[0].wall,
                                     "sphinx-intl": parts[1].wall}
            return result

        times, splits = {}, {}
        rounds = {"pipeline": pipeline_round, "sphinx": sphinx_round}
        for phase in ("cold", "warm"):
            # Interleaved (ours, Sphinx, ours...), so that both meet the same disk state.
            runs: dict[str, list[Run]] = {"pipeline": [], "sphinx": []}
            for i in range(self.args.reps):
                for tool, once in rounds.items():
                    runs[tool] += self.repeat(f"e_{tool}_{phase}_{tag}",
                                              lambda _i: once(phase == "cold"), 1,
                                              adaptive=False, first=i)
            for tool in rounds:
                self.raw[f"e_{tool}_{phase}_{tag}"] = [r.summary() for r in runs[tool]]
                times[(tool, phase)] = median([r.wall for r in runs[tool] if r.ok])
                splits[(tool, phase)] = split_medians(runs[tool])
            if phase == "cold":
                counts = po_counts(ours / "locales", "*.pot", "*/LC_MESSAGES/*.po")
        sphinx_counts = po_counts(theirs, "_build/gettext/*.pot", "locales/*/LC_MESSAGES/*.po")
        summary = {f"{a}_{b}": t for (a, b), t in times.items()}
        summary.update({f"{a}_{b}_split": v for (a, b), v in splits.items()})
        summary.update(pipeline_files=counts, sphinx_files=sphinx_counts)
        self.raw.setdefault("e_summary", {})[where] = summary
        for phase in ("cold", "warm"):
            mine, other = times[("pipeline", phase)], times[("sphinx", phase)]
            if mine is None or other is None:
                self.row("e", f"extract + update, {phase}, {where}", "failed",
                         status="FAIL" if judged else "info")
                continue
            what = "no POT/PO yet" if phase == "cold" else "second run, nothing changed"
            self.row("e", f"{'' if judged else '  '}extract+update {phase} ({what}), {where}: "
                     f"pipeline {mine:.2f}s, Sphinx {other:.2f}s", round(other / mine, 2),
                     "x faster", f">= {TARGETS['catalogs_speedup']:g}" if judged else "",
                     status_of(other / mine >= TARGETS["catalogs_speedup"]) if judged
                     else "info",
                     f"{counts[0]} POT + {counts[1]} PO vs Sphinx {sphinx_counts[0]} POT + "
                     f"{sphinx_counts[1]} PO; rounds interleaved; "
                     + "; ".join(", ".join(f"{k} {v:.2f}s" for k, v in splits[(tool, phase)]
                                           .items()) for tool in ("pipeline", "sphinx")))

    # -- f: memory ------------------------------------------------------------------------------

    def memory_rows(self) -> None:
        if not self.memory:
            return
        name, worst = max(self.memory.items(), key=lambda kv: kv[1].tree_rss_mb)
        self.row("f", f"peak memory, process tree ({name})", round(worst.tree_rss_mb), "MB",
                 f"< {TARGETS['peak_memory_mb']:g}",
                 status_of(worst.tree_rss_mb < TARGETS["peak_memory_mb"]),
                 "summed RSS of the build and its workers, sampled every 50 ms")
        name, big = max(self.memory.items(), key=lambda kv: kv[1].max_rss_mb)
        self.row("f", f"  largest single process ({name})", round(big.max_rss_mb), "MB",
                 detail="ru_maxrss")
        self.raw["f_summary"] = {k: {"tree_mb": r.tree_rss_mb, "max_rss_mb": r.max_rss_mb}
                                 for k, r in self.memory.items()}

    # -- the whole run ----------------------------------------------------------------------------

    def main(self) -> int:
        args = self.args
        load = load_average()
        if load > 0.5:
            self.notes.append(f"load average was {load:.1f} when the benchmark started (each "
                              "run's load is in the log and results.json): other work was "
                              "running, figures may be pessimistic")
            self.log(f"warning: load average {load:.1f}: other work is running on this "
                     "machine, figures will be pessimistic")
        if not args.no_setup:
            done = subprocess.run(["bash", str(REPO / "bench" / "setup.sh")], cwd=REPO)
            if done.returncode:
                self.log("setup incomplete: the measurements that need it show n/a")
        help_text = self.pipeline(REPO, "build", "--help").stdout
        self.force = "--force" in help_text
        if not self.force:
            self.notes.append("pipeline build has no --force yet: full builds use fresh copies")
        RUNS.mkdir(parents=True, exist_ok=True)
        projects = self.corpora()
        only = set(args.only or "abcdefghik")
        if "e" in only:  # first: the others delete thousands of files, which slows ext4
            self.catalogs(projects[args.articles])
        if "i" in only: memory_row.measure(self, projects[args.articles])  # bench/memory_row.py
        if "j" in (args.only or "j") and args.audio_articles: cluster_rows.measure(self, projects[args.audio_articles])  # noqa: E501 bench/cluster_rows.py
        primed = None
        if only & {"a", "b", "c", "d", "h", "k"} and args.audio_articles > 0:
            primed = self.cold_and_floor(projects[args.audio_articles]) \
                if only & {"a", "b", "h", "k"} or args.quick else None
            if only & {"c", "d"}:
                if args.quick:
                    if primed is not None:
                        self.audio_rebuilds(primed, args.audio_articles)
                elif (full := self.full_audio(projects[args.articles])) is not None:
                    self.audio_rebuilds(full, args.articles)
        if "k" in only: outreach_rows.measure(self, primed)  # bench/outreach_rows.py
        if only & {"c", "d", "g"}:
            self.scaling(projects)
        self.memory_rows()
        if not args.keep:
            shutil.rmtree(RUNS, ignore_errors=True)
        return self.report(load)

    def report(self, load_before: float) -> int:
        elapsed = time.perf_counter() - self.started
        order = {k: i for i, k in enumerate("abcdefghijk")}
        rows = sorted(self.rows, key=lambda r: order.get(r["key"], 9))
        if self.args.only:  # c and d need the scaling runs, which also measure g...
            shown = self.args.only + "f" + ("a" if "h" in self.args.only else "")
            rows = [r for r in rows if r["key"] in shown]
        print()
        print(format_table(rows))
        for note in self.notes:
            print(f"note: {note}")
        failed = sum(r["status"] == "FAIL" for r in rows)
        passed = sum(r["status"] == "PASS" for r in rows)
        print(f"\n{passed} PASS, {failed} FAIL; benchmark took {elapsed / 60:.1f} min; "
              f"results in {RESULTS.relative_to(REPO)}")
        machine = machine_info(REPO)
        machine["load_average_before"] = round(load_before, 2)
        machine["load_average_after"] = round(load_average(), 2)
        data = {
            "machine": machine,
            "settings": {**{k: v for k, v in vars(self.args).items()},
                         "locales": corpus.LOCALES, "pipeline_build_force": self.force,
                         "corpus_seed": corpus.SEED_VALUE},
            "targets": TARGETS,
            "figures": rows,
            "notes": self.notes,
            "benchmark_seconds": round(elapsed, 1),
            "raw": self.raw,
        }
        RESULTS.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        return 0  # a benchmark: FAIL rows are findings, not an error


# -- small pieces ------------------------------------------------------------------------------

def duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def status_of(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def split_medians(runs: list[Run]) -> dict[str, float]:
    """Median wall time of each command of a combined run."""
    keys = runs[0].extra.get("split", {}) if runs else {}
    return {k: median([r.extra["split"][k] for r in runs if r.ok]) or 0.0 for k in keys}


def json_run(cmd: list[str]) -> Run:
    """``run(cmd)`` for a command that prints one JSON object last: its keys go to
    ``extra``; a run without it failed."""
    result = run(cmd, cwd=REPO)
    try:
        result.extra.update(json.loads(result.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError, TypeError):
        result.returncode = result.returncode or 1
    return result


def combine(runs: list[Run]) -> Run:
    """Two commands run one after the other, as one measurement."""
    return Run([c for r in runs for c in r.cmd + [";"]][:-1], sum(r.wall for r in runs),
               sum(r.cpu for r in runs), max(r.max_rss_mb for r in runs),
               max(r.tree_rss_mb for r in runs),
               next((r.returncode for r in runs if r.returncode), 0),
               "\n".join(r.stdout for r in runs), "\n".join(r.stderr for r in runs))


def read_last_build(project: Path, since: float) -> dict | None:
    """``.pipeline-cache/last-build.json`` if this build wrote it, else None."""
    path = project / ".pipeline-cache" / "last-build.json"
    try:
        if path.stat().st_mtime < since - 1:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def audio_stats(project: Path) -> dict:
    """Seconds and files of audio, from output/manifest.json (else from counting files)."""
    try:
        manifest = json.loads((project / "output" / "manifest.json").read_text("utf-8"))
        tracks = manifest.get("audio", [])
        return {"audio_seconds": sum(float(t.get("duration", 0)) for t in tracks),
                "audio_files": len(tracks)}
    except (OSError, ValueError, AttributeError):
        files = list((project / "output").rglob("*.mp3"))
        return {"audio_seconds": None, "audio_files": len(files)}


def change_one_msgstr(project: Path, rep: int) -> str:
    """Change the msgstr of one paragraph in the first article's Spanish catalog.

    Rep ``i`` lower-cases the i-th word of the pseudo translation (and only it), so every
    rep is a real change, and no number, tag or punctuation changes (the checks still pass).
    """
    po_dir = project / "locales" / "es" / "LC_MESSAGES"
    path = sorted(p for p in po_dir.glob("*.po") if not p.name.startswith("_"))[0]
    try:
        from pipeline.catalogs import WRAP
    except ImportError:
        WRAP = 79
    po = polib.pofile(str(path), wrapwidth=WRAP)
    entries = [e for e in po if not e.obsolete and e.msgstr and "<" not in e.msgid
               and "paragraph" in (e.comment or "")]
    entry = entries[min(1, len(entries) - 1)]
    words = corpus.pseudo_text(entry.msgid).split(" ")
    alpha = [i for i, w in enumerate(words) if any(c.isalpha() for c in w)]
    index = alpha[rep % len(alpha)]
    words[index] = words[index].lower()
    entry.msgstr = " ".join(words)
    po.save(str(path))
    return f"{path.relative_to(project)}:{getattr(entry, 'linenum', 0)} word {index + 1}"


def po_counts(root: Path, pot_glob: str, po_glob: str) -> tuple[int, int]:
    return len(list(root.glob(pot_glob))), len(list(root.glob(po_glob)))


def doubling_factor(times: dict[int, float]) -> float:
    """How much the time grows per doubling of the articles, worst step (2.0 = linear, less
    when a fixed start-up cost dominates)."""
    sizes = sorted(times)
    worst = 0.0
    for a, b in zip(sizes, sizes[1:]):
        if times[a] > 0:
            worst = max(worst, (times[b] / times[a]) ** (1 / math.log2(b / a)))
    return worst


def format_table(rows: list[dict]) -> str:
    header = ("", "measure", "value", "target", "result")
    lines = [header]
    for r in rows:
        value = f"{r['value']} {r['unit']}".strip()
        lines.append((r["key"], r["label"], value, r["target"], r["status"]))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    widths[1] = min(widths[1], 90)
    out = []
    for number, line in enumerate(lines):
        out.append("  ".join(str(cell).ljust(widths[i]) if i != 2 else str(cell).rjust(widths[i])
                             for i, cell in enumerate(line)).rstrip())
        if number == 0:
            out.append("  ".join("-" * w for w in widths))
    details = [f"  {r['key']}  {r['label'].strip()}: {r['detail']}" for r in rows if r["detail"]]
    return "\n".join(out) + ("\n\ndetails:\n" + "\n".join(details) if details else "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200, help="corpus size (default 200)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per figure; the "
                        "median is reported (default 3)")
    parser.add_argument("--audio-articles", type=int, default=8, metavar="K",
                        help="articles in the cold audio build, the floor and the rebuilds "
                        "with audio (default 8; all 200 take about 35 min per cold build "
                        "on 2 cores; 0 skips audio)")
    parser.add_argument("--audio-reps", type=int, default=0, metavar="R",
                        help="repetitions of the cold audio build and the floor "
                        "(default: --reps)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[50, 100, 200], help="article counts for the scaling figures "
                        "(default 50,100,200; sizes above --articles are dropped)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes for the builds and the floor (default: cores)")
    parser.add_argument("--slow-limit", type=float, default=20.0, metavar="S",
                        help="a rebuild slower than this is measured once (default 20)")
    parser.add_argument("--only", help="letters of the figures to measure (a-k), e.g. 'ab', 'abh' or 'e'")
    parser.add_argument("--quick", action="store_true",
                        help="rebuilds with audio (c, d) on the --audio-articles subset, not "
                        "on the whole corpus (which needs a build of all its audio: about "
                        "20 min the first time, then a few from the kept audio cache)")
    parser.add_argument("--no-setup", action="store_true",
                        help="do not run bench/setup.sh (espeak-ng, Sphinx venv)")
    parser.add_argument("--keep", action="store_true",
                        help="keep bench/work/runs/ (the built copies) afterwards")
    args = parser.parse_args(argv)
    args.audio_articles = min(args.audio_articles, args.articles)
    if args.articles < 1 or args.reps < 1:
        parser.error("--articles and --reps must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    return Bench(parse_args(argv)).main()


if __name__ == "__main__":
    sys.exit(main())
