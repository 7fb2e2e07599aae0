"""``pipeline stats``: what translators have left to do, per locale and article, in strings
and words, by the one publish verdict (verdict.py); ``--analysis``: the words left in match
bands against the translation memory (stages/memory_analysis.py)."""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import asdict, dataclass

from pipeline.checks import checker_for
from pipeline.commands.check import catalogs_for
from pipeline.config import Config, chosen_locales
from pipeline.inline import word_count
from pipeline.model import Issue, Location, Severity, Status
from pipeline.report import Reporter
from pipeline.stages.memory import load_memory, share_index
from pipeline.stages.memory_analysis import LOWEST, AnalysisRow, analyse_locale
from pipeline.stages.memory_analysis import table as analysis_table
from pipeline.stages.read import read_sources
from pipeline.verdict import publish_verdict


@dataclass(frozen=True)
class StatsRow:
    locale: str
    article: str
    strings: int
    translated: int
    fuzzy: int
    untranslated: int
    failing: int
    words: int
    translated_words: int
    fuzzy_words: int
    untranslated_words: int
    failing_words: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated_words / self.words if self.words else 100.0


_STATS_KIND = {Status.TRANSLATED: "translated", Status.FUZZY: "fuzzy",
               Status.UNTRANSLATED: "untranslated", Status.INVALID: "failing"}


def stats_rows(config: Config, reporter: Reporter, locales: list[str] | None
               ) -> list[StatsRow]:
    articles = read_sources(config, reporter)
    rows = []
    for locale in chosen_locales(config, locales, reporter):
        checker = checker_for(config, locale)
        catalogs = dict(catalogs_for(config, locale, articles, reporter))
        for article in articles:
            catalog = catalogs.get(article.slug)
            if catalog is None:
                continue
            counts = {k: [0, 0] for k in ("translated", "fuzzy", "untranslated", "failing")}
            for msgid in dict.fromkeys(s.text for s in article.translatable_segments):
                entry = catalog.entries.get(msgid)
                where = Location(catalog.rel, entry.line if entry else 0)
                kind = _STATS_KIND[publish_verdict(msgid, entry, where, checker).status]
                counts[kind][0] += 1
                counts[kind][1] += word_count(msgid)
            rows.append(StatsRow(
                locale, article.slug, sum(c[0] for c in counts.values()),
                counts["translated"][0], counts["fuzzy"][0], counts["untranslated"][0],
                counts["failing"][0], sum(c[1] for c in counts.values()),
                counts["translated"][1], counts["fuzzy"][1], counts["untranslated"][1],
                counts["failing"][1]))
    return rows


def stats(config: Config, reporter: Reporter, locales: list[str] | None, fmt: str) -> str:
    rows = stats_rows(config, reporter, locales)
    _print(rows, fmt, StatsRow, ("percent", lambda r: round(r.percent, 1)),
           lambda: _table(rows, colour=sys.stdout.isatty()))
    words = sum(r.words for r in rows)
    done = sum(r.translated_words for r in rows)
    share = f"{100 * done / words:.0f}%" if words else "-"
    return (f"stats: {len({r.locale for r in rows})} locale(s), {len(rows)} catalog(s), "
            f"{share} of source words translated; {reporter.tally()}")


def _table(rows: list[StatsRow], colour: bool) -> str:
    head = ["locale", "article", "translated", "fuzzy", "untransl.", "failing", "words",
            "words %"]
    lines = [head]
    for r in rows:
        lines.append([r.locale, r.article, f"{r.translated}/{r.strings}", str(r.fuzzy),
                      str(r.untranslated), str(r.failing), f"{r.translated_words}/{r.words}",
                      f"{r.percent:5.1f}%"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        text = "  ".join(cell.ljust(w) for cell, w in zip(line, widths))
        if colour and n:
            pct = rows[n - 1].percent
            code = "32" if pct >= 99.95 else "33" if pct >= 50 else "31"
            text = f"\033[{code}m{text}\033[0m"
        out.append(text)
    return "\n".join(out)


def analysis_rows(config: Config, reporter: Reporter, locales: list[str] | None
                  ) -> list[AnalysisRow]:
    """The match analysis of every chosen locale; an article with no catalog yet is all
    work left."""
    articles = read_sources(config, reporter)
    chosen = chosen_locales(config, locales, reporter)
    locales_rel = config.rel(config.locales_dir)
    memories = {code: load_memory(config.locales_dir, code, reporter, locales_rel,
                                  config.root / ".pipeline-cache", write_cache=False)
                for code in chosen}
    share_index(memories.values(), LOWEST)  # the locales share their source texts
    rows = []
    for code in chosen:
        checker = checker_for(config, code)
        catalogs = dict(catalogs_for(config, code, articles, _NotYet(reporter)))
        job = []
        for article in articles:
            catalog = catalogs.get(article.slug)
            strings = []
            for msgid in dict.fromkeys(s.text for s in article.translatable_segments):
                entry = catalog.entries.get(msgid) if catalog else None
                where = Location(catalog.rel if catalog else "", entry.line if entry else 0)
                strings.append((msgid, publish_verdict(msgid, entry, where,
                                                       checker).published))
            job.append((article.slug, strings))
        rows += analyse_locale(code, job, memories[code])
    return rows


class _NotYet(Reporter):
    """Passes issues on; a catalog that 'update' has not made yet is a note, not an error:
    a coordinator analyses new articles before they are sent out, and all of their words
    are work left."""

    def __init__(self, inner: Reporter) -> None:
        super().__init__(stream=inner.stream, strict=inner.strict, quiet=inner.quiet)
        self.inner = inner

    def add(self, issue: Issue) -> None:
        if issue.code == "no-catalog":
            issue = Issue(issue.location, Severity.NOTE, "no catalog yet: every string of "
                          "the article counted as work left", issue.code)
        self.inner.add(issue)


def analysis(config: Config, reporter: Reporter, locales: list[str] | None, fmt: str) -> str:
    rows = analysis_rows(config, reporter, locales)
    _print(rows, fmt, AnalysisRow, ("to_translate", lambda r: r.to_translate),
           lambda: analysis_table(rows))
    left = sum(r.to_translate for r in rows)
    reused = sum(r.repetitions + r.exact for r in rows)
    return (f"stats --analysis: {len({r.locale for r in rows})} locale(s), {len(rows)} "
            f"article(s), {left} source word(s) to translate, {reused} of them repeated or "
            f"exact matches (similarity: rapidfuzz fuzz.ratio); {reporter.tally()}")


def _print(rows: list, fmt: str, kind: type, extra: tuple, table) -> None:
    """One serializer per format for both reports: JSON, CSV (the row's fields and one
    computed column, ``extra`` = (name, value of a row)), or the table ``table()`` makes."""
    name, value = extra
    if fmt == "json":
        print(json.dumps([{**asdict(r), name: value(r)} for r in rows], indent=2,
                         ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*kind.__dataclass_fields__, name])
        for r in rows:
            writer.writerow([*asdict(r).values(), value(r)])
        print(out.getvalue(), end="")
    else:
        print(table())


def run(args, config: Config, reporter: Reporter) -> str:
    if getattr(args, "analysis", False):
        return analysis(config, reporter, args.locales, args.format)
    return stats(config, reporter, args.locales, args.format)
