"""The links of a page copied into an offline bundle (``bundle.py``): every relative link
must lead to a file in the bundle once it is unzipped anywhere.

A bundle holds one language, so the links to the other languages (the language list, the
``hreflang`` alternates of ``<head>``) would lead nowhere. With ``[site] base_url`` they
become the pages' online addresses (they work whenever the reader is online, and say which
language is there); without it there is no address to give, so the language list goes (a
list of languages the reader cannot open is worse than none), an alternate ``<link>`` goes,
and any other link to a missing file keeps its text without the link.

The pages are the pipeline's own output (Jinja with autoescape: every attribute is double
quoted, and a quote or ``>`` in text or in the player's JSON is escaped), so a pattern over
attributes finds exactly the attributes; the tests read every link of every bundled page.
"""
from __future__ import annotations

import html
import posixpath
import re
from typing import Callable
from urllib.parse import unquote

_URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
_LINK_TAG = re.compile(r"<link\b[^>]*>\n?")
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
_SWITCHER = re.compile(r'<nav class="languages"[^>]*>.*?</nav>\n?', re.S)
_NOT_RELATIVE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/|#)")
_LINK_ONLY = re.compile(r'\s(?:href|hreflang|download|type)="[^"]*"|\sdownload\b')


def relink(page: str, where: str, present: Callable[[str], bool], base_url: str) -> str:
    """``page`` as it must be at ``where`` (its path in the bundle, "es/x.html"), where
    ``present(path)`` says whether the bundle holds a file at that path."""
    folder = posixpath.dirname(where)

    def missing(value: str) -> bool:
        path = _path_of(html.unescape(value))
        if path is None:
            return False
        target = posixpath.normpath(posixpath.join(folder, unquote(path)))
        return target == ".." or target.startswith("../") or not present(target)

    if base_url:
        def online(match: re.Match) -> str:
            name, value = match.groups()
            if not missing(value):
                return match.group(0)
            url = html.unescape(value)
            path = _path_of(url) or ""
            absolute = base_url + posixpath.normpath(posixpath.join(folder, path)) + \
                url[len(path):]
            return f'{name}="{html.escape(absolute)}"'
        return _URL_ATTR.sub(online, page)

    def leads_out(text: str) -> bool:
        return any(missing(value) for _, value in _URL_ATTR.findall(text))

    page = _SWITCHER.sub(lambda m: "" if leads_out(m.group(0)) else m.group(0), page)
    page = _LINK_TAG.sub(lambda m: "" if leads_out(m.group(0)) else m.group(0), page)
    return _ANCHOR.sub(lambda m: _unlinked(m) if leads_out(m.group(1)) else m.group(0), page)


def _path_of(url: str) -> str | None:
    """The path part of a relative URL, None for an external one or a fragment."""
    if not url or _NOT_RELATIVE.match(url):
        return None
    return re.split(r"[?#]", url, maxsplit=1)[0] or None


def _unlinked(anchor: re.Match) -> str:
    """An ``<a>`` to nowhere as text: a ``<span>`` keeping its language and direction."""
    return f"<span{_LINK_ONLY.sub('', anchor.group(1))}>{anchor.group(2)}</span>"
