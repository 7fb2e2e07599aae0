"""The corpus's articles as a Sphinx project (MyST Markdown), for the catalog comparison.

Same text, Sphinx's spelling: the front matter's title becomes the page's ``#`` heading, the
subtitle and author become paragraphs, ``## Heading {#id}`` becomes a ``(label)=`` target and a
plain ``## Heading`` (labels prefixed by the slug: Sphinx labels are project-wide). Paragraphs,
lists, ``###`` headings and emphasis are unchanged Markdown.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

CONF = '''# Made by bench/sphinx_project.py
project = "Benchmark Library"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "locales"]
language = "en"
'''
_HEADING = re.compile(r"^(#{2,6}) (.*?)[ \t]*\{#([\w-]+)[^}]*\}[ \t]*$", re.M)


def to_myst(slug: str, text: str) -> str:
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    head = [f"# {meta['title']}", ""]
    for key in ("subtitle", "author"):
        if meta.get(key):
            head += [str(meta[key]), ""]
    body = _HEADING.sub(lambda m: f"({slug}-{m.group(3)})=\n{m.group(1)} {m.group(2)}", body)
    return "\n".join(head) + "\n" + body.lstrip("\n")


def write(corpus: Path, target: Path) -> Path:
    """(Re)write ``target`` (conf.py, index.md, one .md per article) from a corpus project."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / "conf.py").write_text(CONF, encoding="utf-8")
    slugs = []
    for path in sorted((corpus / "source").glob("*.md")):
        slugs.append(path.stem)
        (target / path.name).write_text(to_myst(path.stem, path.read_text(encoding="utf-8")),
                                        encoding="utf-8")
    toc = "\n".join(slugs)
    (target / "index.md").write_text(f"# Benchmark Library\n\n```{{toctree}}\n:hidden:\n\n"
                                     f"{toc}\n```\n", encoding="utf-8")
    return target
