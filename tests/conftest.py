"""Shared fixtures: a fresh copy of a sample content project, and the command line run for real."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The browser tests' session fixtures, defined once for all test modules (see browser.py).
from browser import (browser_pages, chromium, fake_audio_site, page_pool,  # noqa: F401
                     sample_site, speech_site)

TESTS = Path(__file__).resolve().parent
PROJECTS = TESTS / "projects"
REPO = TESTS.parent
# The seed article, kept in the repository so that a clone anywhere can run the tests;
# test_importer checks it against ../shared/seeds/ when that folder is beside the checkout.
SEED = TESTS / "fixtures" / "000_47e7b661cb9ca7a2.txt"
SHARED_SEED = REPO.parent / "shared" / "seeds" / SEED.name


def copy_project(name: str, dest: Path) -> Path:
    """Copy ``tests/projects/<name>`` to ``dest`` and return it."""
    shutil.copytree(PROJECTS / name, dest)
    return dest


def cli(root: Path | str, *args: str, timeout: float = 120) -> tuple[int, str, str]:
    """Run ``python -m pipeline -C root ARGS...``; return (returncode, stdout, stderr)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    done = subprocess.run([sys.executable, "-m", "pipeline", "-C", str(root), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=timeout)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A private copy of tests/projects/basic (two articles; locales es and ar)."""
    return copy_project("basic", tmp_path / "basic")


@pytest.fixture
def run_cli():
    """``run_cli(root, *args) -> (returncode, stdout, stderr)``, the CLI in a subprocess."""
    return cli
