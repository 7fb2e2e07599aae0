"""Confined paths: what the pipeline reads comes from inside the content project, and what it
writes goes inside it (``output/``, ``locales/``, ``source/``, ``.pipeline-cache/``).

A content project may come from someone else (a zip, a pull request): a source that says
``![a](../../../etc/passwd)``, or a catalog that is a symbolic link to a private file, must not
publish that file. Two rules cover it: a path named in content is checked as written (it may
not climb out of its folder), and a path on disk is checked as resolved (a symbolic link may
not lead out of the project).
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

# A gettext locale code as it may name a folder (locales/<code>/, output/<tag>/): Babel accepts
# any modifier after "@", so "en@../../evil" passed locales.is_valid and named a path.
_LOCALE_CODE = re.compile(r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9]{1,16})?")


def safe_locale_code(code: object) -> bool:
    """Whether ``code`` has the shape of a gettext locale code (``es``, ``zh_Hans``,
    ``en@pseudo``): nothing in it can climb out of a folder."""
    return isinstance(code, str) and _LOCALE_CODE.fullmatch(code) is not None


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, with every symbolic link followed, is ``folder`` or below it."""
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def image_path(src: str) -> str:
    """The file an image reference names, relative to its article's folder. Markdown
    percent-encodes references (``caf%C3%A9.png``; ``%2e%2e/`` is a ``..`` to a browser):
    decoded, so checks see the name the file system will, and normalised."""
    return posixpath.normpath(unquote(src))


def image_problem(src: str, depth: int) -> str | None:
    """Why an image reference cannot be published, or None. The build copies the file to
    ``output/media/<src>``, where pages link it, so it must be inside ``source/`` (the article
    is ``depth`` folders below it) and, to stay inside ``output/media/``, beside or below its
    article."""
    path = unquote(src)
    if path.startswith(("/", "\\")) or "\\" in path or "\0" in path:
        return "is outside source/"
    parts = posixpath.normpath(path).split("/")
    climbs = next((i for i, part in enumerate(parts) if part != ".."), len(parts))
    if climbs > depth:
        return "is outside source/"
    if climbs:
        return "is outside its article's folder; put it beside or below the article"
    return None


def links_out(folder: Path, root: Path) -> list[Path]:
    """The symbolic links in ``folder`` (itself included, not followed) that lead outside
    ``root``, sorted. os.walk with scandir: a library's locales hold thousands of files, and
    only links cost a stat."""
    folder, top = Path(folder), Path(root).resolve()
    if not folder.is_symlink() and not folder.is_dir():
        return []
    if folder.is_symlink():
        return [] if inside(folder, top) else [folder]
    found: list[Path] = []
    for here, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(here, name)
            if path.is_symlink() and not inside(path, top):
                found.append(path)
    return sorted(found)


def output_problems(out: Path) -> list[tuple[Path, str]]:
    """Why the build could not write ``out`` (output/), found before it writes anything: a
    build that stopped half-way would leave review pages newer than the pages they review.
    Each is (path, reason): not a folder, not writable, or a folder where a page goes."""
    out = Path(out)
    folder = out if out.exists() or out.is_symlink() else out.parent
    if not folder.is_dir():
        return [(out, "not a folder")]
    probe = folder / f".write-test.{os.getpid()}.tmp"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        os.unlink(probe)
    except OSError as exc:
        return [(folder, exc.strerror or str(exc))]
    # Pages, indexes and the manifest are files one or two levels down (output/es/x.html).
    found = []
    for here in [out, *(p for p in _subfolders(out))]:
        found += [(p, "a folder is in the way of the file") for p in _subfolders(here)
                  if p.suffix in (".html", ".json", ".css")]
    return found


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
    except OSError:
        return []
