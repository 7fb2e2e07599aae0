"""``pipeline export-xliff -l LL [-o FILE_OR_DIR]`` and ``pipeline import-xliff -l LL FILE...``:
a locale's catalogs as XLIFF 1.2 for CAT tools that do not take PO (Trados, memoQ, Phrase),
and their translations back into the catalogs (msgstr and fuzzy state only), checked as
``pipeline check`` checks them."""
from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalogs import decode_po, read_catalog, read_checked_catalog
from pipeline.catalogs.xliff import (XliffFile, XliffTarget, add_catalog, new_document,
                                     read_xliff, serialize)
from pipeline.catalogs.xliff_merge import merge
from pipeline.checks import Checker, checker_for
from pipeline.config import Config, chosen_locales
from pipeline.fsutil import write_bytes_atomic
from pipeline.locales import to_tag
from pipeline.model import Location
from pipeline.progress import progress_bar
from pipeline.report import ContentError, Reporter
from pipeline.ui import UI_DOMAIN

_SINGLE = (".xlf", ".xliff")


def export_xliff(config: Config, reporter: Reporter, locale: str,
                 output: Path | None = None) -> str:
    """One XLIFF file per catalog of the locale (in ``output``, a folder, by default
    ``xliff/`` in the project), or all in one file when ``output`` ends in .xlf/.xliff."""
    if not chosen_locales(config, [locale], reporter):
        return f"export-xliff: nothing written; {reporter.tally()}"
    folder = config.locales_dir / locale / "LC_MESSAGES"
    catalogs = sorted(folder.glob("*.po")) if folder.is_dir() else []
    single = output is not None and output.suffix.lower() in _SINGLE
    target = output if output is not None else config.root / "xliff"
    tag, source = to_tag(locale), to_tag(config.source_language)
    document = new_document()
    done = units = 0
    for po in progress_bar(catalogs, "export-xliff", reporter):
        rel = config.rel(po)
        try:
            read_checked_catalog(po, rel)  # a broken catalog is reported, never exported
            text = decode_po(po.read_bytes())
        except ContentError as exc:
            reporter.add(exc.issue)
            continue
        root = document if single else new_document()
        units += add_catalog(root, po.name, text, source, tag, interface=po.stem == UI_DOMAIN)
        done += 1
        if not single:
            _write(target / f"{po.stem}.{tag}.xlf", serialize(root))
    if single and done:
        _write(target, serialize(document))
    if not catalogs:
        reporter.error(Location(config.rel(folder)), f"no catalogs for '{locale}'; run "
                       "'pipeline update' first", "no-catalog")
    return (f"export-xliff: {done} catalog(s), {units} unit(s) written to {config.rel(target)}; "
            f"{reporter.tally()}")


def _write(path: Path, data: bytes) -> None:
    """An export lands where the user asked, inside the project or not (fsutil confines
    writes to the project); atomically, so a CAT tool never picks up half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(temp, 0o666 & ~mask)  # mkstemp's 0600 would hide it from the team's tools
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass
class _Tally:
    files: int = 0
    catalogs: int = 0
    translated: int = 0
    fuzzy: int = 0
    unchanged: int = 0
    empty: int = 0
    unknown: int = 0


def import_xliff(config: Config, reporter: Reporter, locale: str, files: list[Path]) -> str:
    """Each XLIFF file's translations into the locale's catalogs; a file for another
    language, or one that is not well-formed, is refused whole."""
    tally = _Tally()
    if chosen_locales(config, [locale], reporter):
        checker = checker_for(config, locale)
        for path in progress_bar(files, "import-xliff", reporter):
            _import_file(config, reporter, locale, path, checker, tally)
    return (f"import-xliff: {tally.files} file(s), {tally.catalogs} catalog(s) updated: "
            f"{tally.translated} translated and {tally.fuzzy} fuzzy entr(ies) written, "
            f"{tally.unchanged} unchanged, {tally.empty} without a target, "
            f"{tally.unknown} unknown; {reporter.tally()}")


def _import_file(config: Config, reporter: Reporter, locale: str, path: Path,
                 checker: Checker, tally: _Tally) -> None:
    rel = str(path)
    try:
        files, targets = read_xliff(path.read_bytes(), rel)
    except OSError as exc:
        reporter.error(Location(rel), f"cannot read: {exc.strerror}", "unreadable")
        return
    except ContentError as exc:
        reporter.add(exc.issue)
        return
    if not _for_locale(files, locale, rel, reporter):
        return
    tally.files += 1
    by_file: dict[XliffFile, list[XliffTarget]] = defaultdict(list)
    for target in targets:
        by_file[target.file].append(target)
    for section in files:
        _import_catalog(config, reporter, locale, section, by_file[section], rel, checker,
                        tally)


def _for_locale(files: list[XliffFile], locale: str, rel: str, reporter: Reporter) -> bool:
    """Whether every <file> is for the locale (BCP 47 ``zh-Hans``, or gettext's ``zh_Hans``,
    in any case); an error at the first one that is not."""
    wanted = to_tag(locale).lower()
    for section in files:
        found = section.target_language
        if not found:
            reporter.warn(Location(rel, section.line), f"<file> has no target-language; "
                          f"imported as '{to_tag(locale)}'", "xliff-language")
        elif found.replace("_", "-").lower() != wanted:
            reporter.error(Location(rel, section.line), f"the file is for '{found}' "
                           f"(target-language), not '{to_tag(locale)}'; nothing was "
                           f"imported from it (for that language: -l "
                           f"{found.replace('-', '_')})", "xliff-language")
            return False
    return True


def _import_catalog(config: Config, reporter: Reporter, locale: str, section: XliffFile,
                    targets: list[XliffTarget], rel: str, checker: Checker,
                    tally: _Tally) -> None:
    po = config.locales_dir / locale / "LC_MESSAGES" / section.original
    if not re.fullmatch(r"[^/\\]+\.po", section.original) or not po.is_file():
        tally.unknown += len(targets)
        reporter.warn(Location(rel, section.line), f"<file original='{section.original}'> "
                      f"is not a catalog of '{locale}'; its {len(targets)} unit(s) were not "
                      "imported", "xliff-unknown")
        return
    po_rel = config.rel(po)
    try:
        read_checked_catalog(po, po_rel)  # never edit a catalog msgfmt rejects
        raw = po.read_bytes()
        merged = merge(decode_po(raw), po.name, targets, rel)
        data = _encode(merged.text, raw)
    except ContentError as exc:
        reporter.add(exc.issue)
        return
    except UnicodeEncodeError as exc:
        reporter.error(Location(po_rel), f"a translation holds '{exc.object[exc.start]}', "
                       "which the catalog's charset cannot hold; convert the catalog to "
                       "UTF-8 (pipeline update does)", "po-charset")
        return
    for issue in merged.issues:
        reporter.add(issue)
    tally.unchanged += merged.unchanged
    tally.empty += merged.empty
    tally.unknown += merged.unknown
    if not merged.changed:
        return
    write_bytes_atomic(po, data)
    tally.catalogs += 1
    tally.fuzzy += sum(fuzzy for _, _, fuzzy in merged.changed)
    tally.translated += sum(not fuzzy for _, _, fuzzy in merged.changed)
    catalog = read_catalog(po, po_rel)
    for msgctxt, msgid, fuzzy in merged.changed:
        entry = catalog.entries.get(msgid)
        if msgctxt is None and not fuzzy and entry is not None and entry.msgstr:
            for issue in checker.check(msgid, entry.msgstr, Location(po_rel, entry.line),
                                       interface=po.stem == UI_DOMAIN):
                reporter.add(issue)


def _encode(text: str, raw: bytes) -> bytes:
    """The catalog's text in its own charset, with its byte-order mark if it had one."""
    m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
    charset = m.group(1).decode() if m else "utf-8"
    if charset.lower() in ("utf-8", "charset"):
        charset = "utf-8"
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    return bom + text.encode(charset)


def run(args, config: Config, reporter: Reporter) -> str:
    if args.command == "export-xliff":
        return export_xliff(config, reporter, args.locale, args.output)
    return import_xliff(config, reporter, args.locale, args.files)
