"""Shared helpers for tests that need a built site: copy a content project, run the CLI."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_sample_project(target: Path) -> Path:
    """The repository's own sample content (sources, catalogs, config) in a scratch folder."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "source", target / "source")
    shutil.copytree(REPO / "locales", target / "locales")
    shutil.copy(REPO / "pipeline.toml", target / "pipeline.toml")
    return target


def run_pipeline(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "-C", str(root), *args],
                          capture_output=True, text=True, cwd=REPO)


def build_site(root: Path, *args: str) -> Path:
    done = run_pipeline(root, "build", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "output"


def site_pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "_review" not in p.parts)
