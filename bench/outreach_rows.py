"""Row k: what the outreach formats (issue 16: PDF handouts, bilingual handouts, EPUB talking
books, offline bundles) cost, on the audio subset the rebuild rows start from.

A copy of the primed project (its audio built and cached by row a) gets ``[outputs]`` turned
on and a ``[site] base_url`` (so handouts carry their QR codes), then:
- the first build with outreach on: every PDF, bilingual PDF, EPUB and bundle made, the audio
  reused; its CPU time per file and the largest process;
- a no-op rebuild (target: under 2 s, as without outreach);
- one-msgstr rebuilds (target: under 1 s plus that locale's handout and bilingual handout,
  whose cost is the per-file CPU time measured in the first build).

The whole 200-article corpus is not used: at ~0.3 s a handout and ~0.5 s a bilingual one,
its 1,800 pages would take about 25 minutes of CPU for one figure that scales linearly.
"""
from __future__ import annotations

import shutil
from pathlib import Path

OUTREACH_SETTINGS = """
[outputs]
pdf = true
bilingual = true
epub = true
bundles = true

[site]
base_url = "https://health.example.org/library/"
"""


def _count(output: Path) -> dict[str, int]:
    return {"pdf": sum(1 for p in output.glob("*/*.pdf") if ".bilingual." not in p.name),
            "bilingual": len(list(output.glob("*/*.bilingual.pdf"))),
            "epub": len(list(output.glob("*/*.epub"))),
            "bundle": len(list(output.glob("bundles/*.zip")))}


def _with_outreach(bench, primed: Path, name: str, settings: str) -> Path:
    from bench.run import RUNS

    target = RUNS / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(primed, target, symlinks=True)
    config = target / "pipeline.toml"
    text = config.read_text(encoding="utf-8")
    if "[outputs]" in text or "[site]" in text:
        bench.log("k: the corpus already has [outputs] or [site]; measuring as it is")
    else:
        config.write_text(text + settings, encoding="utf-8")
    return target


def measure(bench, primed: Path | None) -> None:
    from bench.run import TARGETS, change_one_msgstr, median

    if primed is None:
        bench.log("k: needs the primed audio project (row a); skipped")
        return
    project = _with_outreach(bench, primed, "outreach", OUTREACH_SETTINGS)
    # the same without the two PDF kinds: the difference is what that locale's handouts cost
    no_pdf = _with_outreach(bench, primed, "outreach-no-pdf", OUTREACH_SETTINGS.replace(
        "pdf = true\nbilingual = true", "pdf = false\nbilingual = false"))
    bench.log("k. outreach formats: first build with PDFs, bilingual PDFs, EPUBs, bundles")
    first = bench.build(project)
    bench.build(no_pdf)
    made = _count(project / "output")
    files = sum(made.values()) or 1
    bench.row("k", "outreach, first build (audio from cache)", round(first.wall, 1), "s",
              detail=f"{made}; {first.cpu:.1f} s CPU, {first.cpu / files:.2f} s CPU a file; "
              f"largest process {first.max_rss_mb:.0f} MB, tree {first.tree_rss_mb:.0f} MB")
    bench.row("k", "outreach CPU per published page (handout + bilingual + EPUB + its share "
              "of the bundle)", round(first.cpu / max(1, made["pdf"]), 2), "s")
    noop = bench.repeat("k_noop_outreach", lambda i: bench.build(project))
    wall = median([r.wall for r in noop if r.ok])
    limit = TARGETS["noop_seconds"]
    bench.row("k", "no-op rebuild with outreach on", round(wall, 2), "s", f"< {limit}",
              "PASS" if wall < limit else "FAIL")
    _one_msgstr_rows(bench, project, no_pdf)


def _one_msgstr_rows(bench, project: Path, no_pdf: Path) -> None:
    """The one-msgstr rebuild with everything on, and side by side the same edit without
    the PDF kinds: the target is "1 s plus that locale's handouts", so the rebuild without
    them must stay under 1 s, and their cost (WeasyPrint's import, ~0.8 s, and two renders)
    is reported."""
    from bench.run import TARGETS, change_one_msgstr, median

    walls: dict[str, list[float]] = {"all": [], "no-pdf": []}

    def pair(i: int):
        for key, where in (("all", project), ("no-pdf", no_pdf)):
            change_one_msgstr(where, 100 + i)
            result = bench.build(where)
            if result.ok:
                walls[key].append(result.wall)
        return result

    runs = bench.repeat("k_one_msgstr_outreach (pairs)", pair)
    every, without = median(walls["all"]), median(walls["no-pdf"])
    limit = TARGETS["one_msgstr_seconds"]
    bench.row("k", "one-msgstr rebuild, outreach on but PDFs off (EPUB, bundle, index)",
              round(without, 2), "s", f"< {limit}", "PASS" if without < limit else "FAIL")
    bench.row("k", "one-msgstr rebuild with outreach on", round(every, 2), "s",
              f"< 1 + that locale's handouts ({every - without:.2f})",
              "PASS" if without < limit else "FAIL",
              detail=f"the handout and bilingual handout add {every - without:.2f} s "
              f"(median of pairs); peak tree {max(r.tree_rss_mb for r in runs):.0f} MB")
