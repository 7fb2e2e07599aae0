"""The inline tag language of msgids, and how translated text becomes safe HTML.

Translators see ``<em>``, ``<strong>``, ``<code>``, ``<br/>`` and numbered link tags ``<a1>``.
Link targets live only in the source, so a translator can move a link but cannot break or
redirect it. Everything else in a msgstr is text and is escaped: translated text is untrusted.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence
from html import escape

from markupsafe import Markup

from pipeline.model import Link

_TAG = re.compile(r"<(/?)(em|strong|code|a\d+)>|<br ?/>")
# Anything a browser could take for markup, used to spot injected HTML in a msgstr.
_HTMLISH = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|<\s*[A-Za-z]|&#?\w+;")
# Other markup languages a translator may reach for: a Markdown link (never a link here: links
# are <aN> tags whose targets come from the source) and template syntax (Jinja and the like).
_FOREIGN = re.compile(r"\[[^\]]*\]\([^)]*\)|\{[{%#]|[}%#]\}")


def looks_like_tag(text: str) -> bool:
    return bool(_TAG.search(text))


@dataclass(frozen=True)
class Token:
    kind: str  # "text", "open", "close", "br"
    value: str  # text, or the tag name


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    for m in _TAG.finditer(text):
        if m.start() > pos:
            tokens.append(Token("text", text[pos:m.start()]))
        if m.group(0).startswith("<br"):
            tokens.append(Token("br", "br"))
        else:
            tokens.append(Token("close" if m.group(1) else "open", m.group(2)))
        pos = m.end()
    if pos < len(text):
        tokens.append(Token("text", text[pos:]))
    return tokens


def tag_signature(text: str) -> Counter:
    """The multiset of tags in a string; source and translation must have the same one."""
    return Counter((t.kind, t.value) for t in tokenize(text) if t.kind != "text")


def markup_problems(source: str, translation: str) -> list[str]:
    """Why ``translation``'s markup cannot be trusted against ``source``; empty when fine."""
    problems: list[str] = []
    expected, found = tag_signature(source), tag_signature(translation)
    if expected != found:
        missing = expected - found
        extra = found - expected
        parts = []
        if missing:
            parts.append("missing " + ", ".join(_show(k) for k in sorted(missing)))
        if extra:
            parts.append("unexpected " + ", ".join(_show(k) for k in sorted(extra)))
        problems.append("inline markup differs from the source (" + "; ".join(parts) + ")")
    elif not _balanced(translation):
        problems.append("inline tags are not properly nested or closed")
    leftover = _TAG.sub("", translation)
    source_leftover = _TAG.sub("", source)
    injected = set(_HTMLISH.findall(leftover)) - set(_HTMLISH.findall(source_leftover))
    if injected:
        problems.append("contains HTML that the source does not have: "
                        + ", ".join(sorted(injected))[:80])
    foreign = set(_FOREIGN.findall(leftover)) - set(_FOREIGN.findall(source_leftover))
    if any(f.startswith("[") for f in foreign):
        problems.append("contains a Markdown link, which is shown as text (keep the source's "
                        "<aN>…</aN> tags instead)")
    if any(not f.startswith("[") for f in foreign):
        problems.append("contains template syntax that the source does not have: "
                        + ", ".join(sorted(f for f in foreign if not f.startswith("["))))
    return problems


def _show(key: tuple[str, str]) -> str:
    kind, name = key
    return {"open": f"<{name}>", "close": f"</{name}>", "br": "<br/>"}[kind]


def _balanced(text: str) -> bool:
    stack: list[str] = []
    for token in tokenize(text):
        if token.kind == "open":
            if token.value in stack:
                return False
            stack.append(token.value)
        elif token.kind == "close":
            if not stack or stack.pop() != token.value:
                return False
    return not stack


def to_html(text: str, links: tuple[Link, ...] = (),
            sentences: Sequence[tuple[int, int, str]] = ()) -> Markup:
    """Render a validated string to HTML; text is escaped, tags map to fixed elements.

    ``sentences``: (start, end, id) spans of ``to_plain(text)``, each wrapped in
    ``<span class="s" data-s="id">`` (the first piece also has the ``id``) for text/audio
    sync. A sentence that crosses a tag is closed before it and reopened after, so elements
    nest; the spans change nothing a screen reader reads.
    """
    targets = {f"a{link.number}": link for link in links}
    marks = _Marks(sentences)
    out: list[str] = []
    for token in tokenize(text):
        if token.kind == "text":
            out.append(marks.text(token.value))
            continue
        out.append(marks.pause())
        if token.kind == "br":
            out.append("<br>")
            marks.space()
        elif token.value.startswith("a"):
            link = targets.get(token.value)
            if link is not None:  # validation rejects this; never emit an anchor without a URL
                title = f' title="{escape(link.title)}"' if link.title else ""
                out.append(f'<a href="{escape(link.url)}"{title}>' if token.kind == "open"
                           else "</a>")
        else:
            out.append(f"<{'/' if token.kind == 'close' else ''}{token.value}>")
        out.append(marks.resume())
    out.append(marks.pause())
    return Markup("".join(out))


class _Marks:
    """Sentence spans over the text tokens of a string, counted in ``to_plain`` offsets
    (runs of white space count as one character, leading white space as none)."""

    def __init__(self, sentences: Sequence[tuple[int, int, str]]):
        self.starts = {start: ident for start, _, ident in sentences}
        self.ends = {end: ident for _, end, ident in sentences}
        self.pos, self.in_space, self.open, self.opened = 0, True, "", set()

    def space(self) -> None:
        if not self.in_space and self.pos:
            self.pos += 1
        self.in_space = True

    def text(self, value: str) -> str:
        if not self.starts:
            return escape(value, quote=False)
        out, run = [], []
        for char in value:
            if char.isspace():
                self.space()
                run.append(char)
                continue
            if self.pos in self.starts and not self.open:
                out += [escape("".join(run), quote=False), self._open(self.starts[self.pos])]
                run = []
            run.append(char)
            self.pos += 1
            self.in_space = False
            if self.open and self.ends.get(self.pos) == self.open:
                out += [escape("".join(run), quote=False), "</span>"]
                run, self.open = [], ""
        return "".join(out) + escape("".join(run), quote=False)

    def _open(self, ident: str) -> str:
        self.open = ident
        first = ident not in self.opened
        self.opened.add(ident)
        safe = escape(ident)
        named = f' id="{safe}"' if first else ""
        return f'<span class="s"{named} data-s="{safe}">'

    def pause(self) -> str:
        return "</span>" if self.open else ""

    def resume(self) -> str:
        return self._open(self.open) if self.open else ""


def to_plain(text: str) -> str:
    """The words only, for speech, search and word counts."""
    return re.sub(r"\s+", " ", "".join(
        t.value if t.kind == "text" else " " if t.kind == "br" else "" for t in tokenize(text)
    )).strip()


def word_count(text: str) -> int:
    return len(to_plain(text).split())
