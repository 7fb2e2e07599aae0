"""``pipeline update``: every template merged into every configured locale's catalog (GNU
msgmerge, in parallel), new and changed entries pre-filled from the locale's translation
memory (``--no-memory``: not); ``--check`` says which catalogs are stale and what changed."""
from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import __version__
from pipeline.config import Config, chosen_locales
from pipeline.model import Issue, Location, Severity, UpdateResult
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter
from pipeline.state import BuildState, bytes_fingerprint, file_fingerprint, fingerprint
from pipeline.stages.memory import Memory, load_memory, locale_print, share_index
from pipeline.stages.speech_po import create_speech_po
from pipeline.stages.update import po_path_for, update_catalog


def update(config: Config, reporter: Reporter, locales: list[str] | None = None,
           check_only: bool = False, memory: bool = True) -> str:
    """Merge every POT into every configured locale's PO (GNU msgmerge, in parallel), then
    pre-fill new and changed entries from the locale's translation memory (unless
    ``memory`` is False)."""
    chosen = chosen_locales(config, locales, reporter)
    pots = sorted(config.locales_dir.glob("*.pot")) if config.locales_dir.is_dir() else []
    if not pots:
        reporter.error(Location(config.rel(config.locales_dir)), "no templates; run "
                       "'pipeline extract' first", "no-templates")
    # A PO merged from exactly these POT and PO bytes before is already up to date: skipping
    # msgmerge keeps an update of hundreds of catalogs fast when one source changed.
    state = BuildState.load(config.root / ".pipeline-cache" / "update-state.pickle")
    templates = _read_templates(config, pots, reporter)  # read once, used for every locale
    pots = [pot for pot in pots if pot in templates]
    pot_prints = {pot: bytes_fingerprint(data) for pot, data in templates.items()}
    # --check asks whether catalogs are up to date with their templates: the memory's
    # suggestions are offered by update, not required (a translation in one catalog must
    # not make CI fail on every other catalog that shares the string).
    plan = _MemoryPlan(config, state, reporter, memory and not check_only, check_only)

    def merge_inputs(pot: Path, po_print: str, code: str) -> str:
        return fingerprint(__version__, pot_prints[pot], po_print, code, config.name)

    def run(job: tuple[Path, str, Path, str]) -> UpdateResult | None:
        pot, code, po, rel = job
        try:
            result = update_catalog(pot, po, rel, code, pot.stem, config.name,
                                    write=not check_only, pot=templates[pot],
                                    memory=plan.memories.get(code, _NO_MEMORY))
        except ContentError as exc:
            reporter.add(exc.issue)
            return None
        if not check_only:
            state.record(rel, merge_inputs(pot, result.fingerprint, code), plan.is_open(po))
        return result

    results, new, merges = _sort_jobs(config, chosen, pots, state, plan, merge_inputs)
    plan.load({code for _, code, _, _ in new + merges})
    # New catalogs are assembled in Python (no msgmerge), faster without thread switches;
    # merges wait on msgmerge processes, so threads keep the cores busy.
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = itertools.chain(map(run, new), pool.map(run, merges))
        for result in progress_bar(done, "update", reporter, total=len(new) + len(merges)):
            if result is not None:
                results.append(result)
    changed = [r for r in results if r.written]
    lexicons = _speech_lexicons(config, reporter, chosen if locales else
                                [config.source_language, *chosen], check_only)
    if check_only:
        return _report_stale(config, reporter, results, changed)
    plan.record(results)
    state.save()
    created = sum(r.created for r in results)
    return (f"update: {len(chosen)} locale(s), {len(results)} catalog(s): {created} created, "
            f"{len(changed) - created} updated, {len(results) - len(changed)} unchanged; "
            f"{plan.summary()}"
            f"{f'{lexicons} speech lexicon(s) created; ' if lexicons else ''}"
            f"{reporter.tally()}")


def _sort_jobs(config: Config, chosen: list[str], pots: list[Path], state: BuildState,
               plan: "_MemoryPlan", merge_inputs) -> tuple[list, list, list]:
    """(up-to-date results, catalogs to create, catalogs to merge)."""
    results: list[UpdateResult] = []
    new, merges = [], []
    locales_rel = config.rel(config.locales_dir)
    for code in chosen:
        prints = plan.catalog_prints(code)
        for pot in pots:
            po = po_path_for(config.locales_dir, code, pot.stem)
            rel = f"{locales_rel}/{code}/LC_MESSAGES/{pot.stem}.po"
            if not po.exists():
                new.append((pot, code, po, rel))
            elif (state.fresh(rel, merge_inputs(pot, prints.get(po.name)
                                                or file_fingerprint(po), code))
                  and plan.fresh(rel, code)):
                results.append(UpdateResult(pot.stem, code, po, created=False, written=False))
            else:
                merges.append((pot, code, po, rel))
    return results, new, merges


# Without a memory (--no-memory, --check), update still carries the memory notes of
# earlier pre-fills over the merge, so that the catalogs do not change for that alone.
_NO_MEMORY = Memory()
# An untranslated entry: "msgstr" with an empty string and no continuation line.
_OPEN = re.compile(rb'^msgstr ""\n(?!")', re.M)


class _MemoryPlan:
    """The translation memory's part in an update. Whether a catalog is up to date also
    depends on the memory when the catalog has untranslated entries (the memory may now
    fill them): such a catalog is merged again when any file of its locale's memory changed
    since the last update (the locale's print, recorded at the end of each update)."""

    def __init__(self, config: Config, state: BuildState, reporter: Reporter,
                 enabled: bool, check_only: bool) -> None:
        self.config, self.state, self.reporter = config, state, reporter
        self.enabled, self.check_only = enabled, check_only
        self.prints: dict[str, dict[str, str]] = {}
        self.memories: dict[str, Memory] = {}
        self.locale_prints: dict[str, str] = {}

    def catalog_prints(self, code: str) -> dict[str, str]:
        """The print of each catalog of the locale, by file name (read once here)."""
        folder = self.config.locales_dir / code / "LC_MESSAGES"
        found = sorted(folder.glob("*.po")) if folder.is_dir() else []
        self.prints[code] = {p.name: file_fingerprint(p) for p in found}
        return self.prints[code]

    def fresh(self, rel: str, code: str) -> bool:
        if not self.enabled or not self.state.values.get(rel):
            return True
        if code not in self.locale_prints:
            self.locale_prints[code] = locale_print(self.config.locales_dir, code,
                                                    self.prints.get(code))
        return self.state.outputs.get(f"memory:{code}") == self.locale_prints[code]

    def load(self, codes: set[str]) -> None:
        """The memories of the locales that have catalogs to merge or create, read before
        any catalog is written: every catalog is filled from the same memory."""
        if not self.enabled:
            return
        cache = self.config.root / ".pipeline-cache"
        locales_rel = self.config.rel(self.config.locales_dir)
        for code in sorted(codes):
            self.memories[code] = load_memory(
                self.config.locales_dir, code, self.reporter,
                locales_rel, cache,
                write_cache=not self.check_only, prints=self.prints.get(code))
        share_index(self.memories.values())

    def is_open(self, po: Path) -> bool:
        """Whether the catalog has untranslated entries (the memory could fill them)."""
        try:
            return _OPEN.search(po.read_bytes()) is not None
        except OSError:
            return True

    def record(self, results: list[UpdateResult]) -> None:
        """The print of each memory this update read, as it stands after the update: what
        the update wrote adds no translation the memory did not have (pre-fills copy it,
        msgmerge keeps or retires translations), so catalogs filled from it stay up to
        date."""
        for result in results:
            if result.locale in self.memories and result.fingerprint:
                self.prints[result.locale][result.po_path.name] = result.fingerprint
        for code in self.memories:
            self.state.record(f"memory:{code}", locale_print(self.config.locales_dir, code,
                                                             self.prints[code]))

    def summary(self) -> str:
        if not self.enabled:
            return "translation memory off; "
        translated = sum(m.filled["translated"] for m in self.memories.values())
        fuzzy = sum(m.filled["fuzzy"] for m in self.memories.values())
        if not translated + fuzzy:
            return ""
        return (f"{translated + fuzzy} entr{'y' if translated + fuzzy == 1 else 'ies'} "
                f"pre-filled from the translation memory ({translated} translated, "
                f"{fuzzy} fuzzy); ")


def _speech_lexicons(config: Config, reporter: Reporter, locales: list[str],
                     check_only: bool) -> int:
    """An empty ``locales/<ll>/speech.po`` for each spoken locale that has none (the source
    language's too, when no ``-l`` narrows the run); one that exists is never touched.
    ``--check`` notes the missing ones (the built-in lexicon serves until then)."""
    created = 0
    for code in locales:
        try:
            path = create_speech_po(config, code, write=not check_only)
        except ContentError as exc:
            reporter.add(exc.issue)
            continue
        if path is not None and check_only:
            reporter.add(Issue(Location(config.rel(path)), Severity.NOTE, "no speech lexicon "
                               "yet; 'pipeline update' creates an empty one",
                               "speech-lexicon"))
        created += path is not None
    return created


def _read_templates(config: Config, pots: list[Path], reporter: Reporter
                    ) -> dict[Path, bytes]:
    """Each template's bytes; one that cannot be read (a folder named x.pot...) is reported
    and left out."""
    templates = {}
    for pot in pots:
        try:
            templates[pot] = pot.read_bytes()
        except OSError as exc:
            reporter.error(Location(config.rel(pot)), f"cannot read: {exc.strerror}",
                           "unreadable")
    return templates


def _report_stale(config: Config, reporter: Reporter, results: list[UpdateResult],
                  changed: list[UpdateResult]) -> str:
    """``update --check``: an error for each catalog whose content is out of date, saying what
    changed; a note for one that differs only in form (wrapping, CRLF), which is not stale."""
    stale = [r for r in changed if r.differences]
    for r in changed:
        where = Location(config.rel(r.po_path))
        if r.differences:
            reporter.error(where, "catalog is out of date with its template: "
                           f"{'; '.join(r.differences)}; run 'pipeline update'", "stale-catalog")
        else:
            reporter.add(Issue(where, Severity.NOTE, "only the formatting differs from what "
                               "'pipeline update' writes (line wrapping, line ends or field "
                               "order); the content is up to date", "catalog-format"))
    return (f"update --check: {len(results)} catalog(s) checked, {len(stale)} out of date, "
            f"{len(changed) - len(stale)} differing only in format; {reporter.tally()}")


def run(args, config: Config, reporter: Reporter) -> str:
    return update(config, reporter, args.locales, check_only=args.check,
                  memory=not getattr(args, "no_memory", False))
