"""Placeholder: being built (issue 16). Makes nothing yet."""
from __future__ import annotations

from typing import Any


def write(built: Any, writer: Any, reporter: Any) -> int:
    return 0
