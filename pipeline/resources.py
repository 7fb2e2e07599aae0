"""Where the package's own files are: page templates and the assets every page links."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PACKAGE_TEMPLATES = PACKAGE / "templates"
ASSETS = PACKAGE / "assets"
