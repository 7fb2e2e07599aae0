"""Regenerate the golden pages in tests/golden/ after an intended change to the page output.

Run ``make golden`` (``python -m tests.regenerate_golden``), read the diff, and commit it with
the change that caused it. tests/test_site.py builds the same pages and compares them exactly.

The pages come from tests/projects/site/, a tiny fixed project with hand-written Spanish and
Arabic catalogs, built without audio in a scratch folder. Only the standard library and the
pipeline are imported here, so this runs both as a module and from pytest.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PROJECT = TESTS / "projects" / "site"
GOLDEN = TESTS / "golden"
PAGES = ("es/hydration.html", "ar/hydration.html")


def copy_site_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns("output"))
    return dest


def run_build(root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return subprocess.run([sys.executable, "-m", "pipeline", "-C", str(root), "build",
                           "--no-audio"], capture_output=True, text=True, encoding="utf-8",
                          env=env, cwd=REPO, timeout=300)


def build_golden_pages(workdir: Path) -> dict[str, str]:
    """Build the site project in ``workdir`` and return {page path: HTML} for PAGES."""
    root = copy_site_project(Path(workdir) / "site")
    done = run_build(root)
    if done.returncode != 0:
        raise RuntimeError(f"the site project did not build:\n{done.stdout}{done.stderr}")
    return {rel: (root / "output" / rel).read_text(encoding="utf-8") for rel in PAGES}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        pages = build_golden_pages(Path(tmp))
    for rel, html in pages.items():
        target = GOLDEN / rel
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old == html:
            print(f"unchanged {target.relative_to(REPO)}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        print(f"{'updated' if old is not None else 'created'} {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
