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
    # The target is on PDFs and EPUBs ("1 s plus that locale's handout"): the same
    # edit with bundles off, and with EPUBs alone; bundles (a language's whole site, audio
    # included, repacked) are reported beside them.
    books = _with_outreach(bench, primed, "outreach-books", OUTREACH_SETTINGS.replace(
        "bundles = true", "bundles = false"))
    epub_only = _with_outreach(bench, primed, "outreach-epub", OUTREACH_SETTINGS.replace(
        "pdf = true\nbilingual = true", "pdf = false\nbilingual = false").replace(
        "bundles = true", "bundles = false"))
    bench.log("k. outreach formats: first build with PDFs, bilingual PDFs, EPUBs, bundles")
    first = bench.build(project)
    bench.build(books)
    bench.build(epub_only)
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
    _one_msgstr_rows(bench, {"all": project, "books": books, "epub": epub_only})


def _one_msgstr_rows(bench, projects: dict[str, Path]) -> None:
    """The same one-msgstr edit in each variant, round by round: EPUBs alone must stay
    under 1 s; PDFs and EPUBs under 1 s plus what that locale's two handouts add (WeasyPrint's
    import, ~0.8 s, and two renders); bundles are information."""
    from bench.run import TARGETS, change_one_msgstr, median

    walls: dict[str, list[float]] = {key: [] for key in projects}

    def round_(i: int):
        for key, where in projects.items():
            change_one_msgstr(where, 100 + i)
            result = bench.build(where)
            if result.ok:
                walls[key].append(result.wall)
        return result

    runs = bench.repeat("k_one_msgstr_outreach (rounds)", round_)
    every, books, epub = (median(walls[k]) for k in ("all", "books", "epub"))
    limit = TARGETS["one_msgstr_seconds"]
    bench.row("k", "one-msgstr rebuild with EPUBs on", round(epub, 2), "s", f"< {limit}",
              "PASS" if epub < limit else "FAIL")
    bench.row("k", "one-msgstr rebuild with PDFs, bilingual PDFs and EPUBs on", round(books, 2),
              "s", f"< 1 + that locale's handouts ({books - epub:.2f})",
              "PASS" if epub < limit else "FAIL",
              detail=f"the handout and bilingual handout add {books - epub:.2f} s")
    bench.row("k", "one-msgstr rebuild with bundles on too", round(every, 2), "s",
              detail=f"repacking that language's bundle adds {every - books:.2f} s; peak tree "
              f"{max(r.tree_rss_mb for r in runs):.0f} MB")
