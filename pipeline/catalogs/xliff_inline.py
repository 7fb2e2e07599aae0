"""The inline tags of our msgids as XLIFF 1.2 inline elements, and back.

CAT tools (Trados, memoQ, Phrase) show XLIFF inline elements as locked tags a translator
moves but cannot mistype; escaped ``&lt;a1&gt;`` text would be typed over. So:

- paired tags (``<em>``, ``<strong>``, ``<code>``, links ``<a1>``) become ``<g>``, with an id
  that names the tag (``em1``, ``em2``, ``a1``), so a target's ``<g>`` maps back without the
  source;
- ``<br/>`` becomes ``<x ctype="lb">`` (its exact spelling in ``equiv-text``);
- ``{placeholders}`` of interface strings (python-brace-format) become ``<ph>`` holding the
  placeholder, as do the tags of a string whose tags do not nest (a broken translation
  must round-trip as it is, for ``check`` to report it);
- characters XML 1.0 cannot hold (control characters) become ``<x ctype="x-char-XXXX">``.
"""
from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from pipeline.inline import Token, tokenize

NS = "urn:oasis:names:tc:xliff:document:1.2"
_CTYPES = {"em": "italic", "strong": "bold", "code": "x-code"}
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHAR_CTYPE = re.compile(r"x-char-([0-9A-Fa-f]{4,6})$")
_G_ID = re.compile(r"(a\d+)$|(em|strong|code)\d*$")
_BR = re.compile(r"<br ?/>")


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def fill(element: etree._Element, text: str, placeholders: bool = False) -> None:
    """Write ``text`` (a msgid or msgstr) into ``element`` (<source> or <target>)."""
    tokens = tokenize(text)
    paired = _nests(tokens)
    seen: Counter = Counter()
    breaks = iter(_BR.findall(text))  # "<br/>" or "<br />", as the string spells it
    stack = [element]
    for token in tokens:
        if token.kind == "text":
            _text(stack[-1], token.value, placeholders, seen)
        elif token.kind == "br":
            seen["br"] += 1
            _append(stack[-1], "x", id=f"br{seen['br']}", ctype="lb",
                    **{"equiv-text": next(breaks, "<br/>")})
        elif not paired:
            seen["tag"] += 1
            _append(stack[-1], "ph", f"<{'/' if token.kind == 'close' else ''}{token.value}>",
                    id=f"t{seen['tag']}", ctype="x-tag")
        elif token.kind == "open":
            seen[token.value] += 1
            ident = token.value if token.value.startswith("a") else \
                f"{token.value}{seen[token.value]}"
            stack.append(_append(stack[-1], "g", id=ident,
                                 ctype=_CTYPES.get(token.value, "link")))
        else:
            stack.pop()


def _nests(tokens: list[Token]) -> bool:
    stack: list[str] = []
    for token in tokens:
        if token.kind == "open":
            if token.value in stack:
                return False
            stack.append(token.value)
        elif token.kind == "close" and (not stack or stack.pop() != token.value):
            return False
    return not stack


def _text(parent: etree._Element, value: str, placeholders: bool, seen: Counter) -> None:
    """Plain text, with placeholders as <ph> and non-XML characters as <x>."""
    pattern = _PLACEHOLDER if placeholders else None
    pos = 0
    for m in (pattern.finditer(value) if pattern else ()):
        _chars(parent, value[pos:m.start()], seen)
        seen["ph"] += 1
        _append(parent, "ph", m.group(0), id=f"p{seen['ph']}", ctype="x-python-brace-format")
        pos = m.end()
    _chars(parent, value[pos:], seen)


def _chars(parent: etree._Element, value: str, seen: Counter) -> None:
    pos = 0
    for m in _NOT_XML.finditer(value):
        _put_text(parent, value[pos:m.start()])
        seen["char"] += 1
        _append(parent, "x", id=f"c{seen['char']}", ctype=f"x-char-{ord(m.group(0)):04X}")
        pos = m.end()
    _put_text(parent, value[pos:])


def _put_text(parent: etree._Element, value: str) -> None:
    """Text after the last child (its tail) or, without children, the element's text."""
    if not value:
        return
    children = len(parent)
    if children:
        last = parent[children - 1]
        last.tail = (last.tail or "") + value
    else:
        parent.text = (parent.text or "") + value


def _append(parent: etree._Element, name: str, text: str = "", **attrs: str
            ) -> etree._Element:
    child = etree.SubElement(parent, _q(name), {k: v for k, v in attrs.items()})
    if text:
        child.text = text
    return child


def read(element: etree._Element, problems: list[str] | None = None) -> str:
    """The text of a <source> or <target> with our inline tags restored. Elements CAT
    tools add (<mrk> segments, <bpt>/<ept>/<it> native codes) give their content;
    ``problems`` collects what could not be mapped back."""
    out = [element.text or ""]
    for child in element:
        out.append(_child(child, problems))
        out.append(child.tail or "")
    return "".join(out)


def _child(child: etree._Element, problems: list[str] | None) -> str:
    name = etree.QName(child).localname if isinstance(child.tag, str) else ""
    ident = child.get("id", "")
    if name == "g":
        m = _G_ID.match(ident)
        if m is None:
            if problems is not None:
                problems.append(f"tag <g id=\"{ident}\"> is not one of the source's; "
                                "its text was kept without it")
            return read(child, problems)
        tag = m.group(1) or m.group(2)
        return f"<{tag}>{read(child, problems)}</{tag}>"
    if name == "x":
        char = _CHAR_CTYPE.match(child.get("ctype", ""))
        if char:
            return chr(int(char.group(1), 16))
        equiv = child.get("equiv-text", "")
        if child.get("ctype") == "lb" or ident.startswith("br"):
            return equiv if _BR.fullmatch(equiv) else "<br/>"
        if problems is not None:
            problems.append(f"placeholder <x id=\"{ident}\"> is not one of the source's; "
                            "it was left out")
        return ""
    if name in ("ph", "bpt", "ept", "it", "mrk", "sub"):
        return read(child, problems)
    return "" if name == "" else read(child, problems)  # comments, processing instructions
