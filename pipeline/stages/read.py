"""Read stage: ``source/<slug>.md`` (CommonMark + YAML front matter) -> ``Article``.

Every segment keeps the line it starts on, so that catalogs, checks and the build can point a
person at ``source/<slug>.md:LINE``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pipeline.inline import looks_like_tag
from pipeline.model import (Article, Block, BlockKind, Image, Link, Location, Role, Section,
                            Segment)
from pipeline.report import ContentError, Reporter

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FRONT_KEYS = {"title", "subtitle", "lang", "author", "reviewed", "notes"}
_HEADING_ATTRS = re.compile(r"\s*\{((?:\s*[#.][\w-]+)+)\s*\}\s*$")

if TYPE_CHECKING:
    from markdown_it.token import Token


@lru_cache(maxsize=1)
def _markdown():
    """The parser, loaded when a source is parsed at all: rebuilds reuse parsed articles."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def find_sources(source_dir: Path) -> list[Path]:
    return sorted(p for p in source_dir.rglob("*.md") if not p.name.startswith("."))


def read_article(path: Path, rel: str, default_lang: str, reporter: Reporter) -> Article:
    """Parse one source file; raises ContentError for problems that make it unusable."""
    slug = path.stem
    if not SLUG_RE.match(slug):
        raise ContentError(Location(rel), f"file name '{path.name}' is not a valid slug "
                           "(lower-case letters, digits and hyphens)", "bad-slug")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ContentError(Location(rel, line), f"not valid UTF-8 ({exc.reason})",
                           "encoding") from exc
    except OSError as exc:
        raise ContentError(Location(rel), f"cannot read: {exc.strerror}", "unreadable") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, meta_lines, body, offset = _split_front_matter(text, rel)
    for key in meta:
        if key not in _FRONT_KEYS:
            reporter.warn(Location(rel, meta_lines.get(key, 1)),
                          f"unknown front matter key '{key}' ignored", "front-matter-key")
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        raise ContentError(Location(rel, 1), "front matter needs a 'title'", "front-matter")
    lang = str(meta.get("lang") or default_lang)

    def meta_segment(key: str, role: Role) -> Segment | None:
        value = meta.get(key)
        if value is None:
            return None
        return Segment(_normalise(str(value)), role, Location(rel, meta_lines.get(key, 1)), "")

    reviewed = meta.get("reviewed", "")
    if isinstance(reviewed, (dt.date, dt.datetime)):
        reviewed = reviewed.isoformat()[:10]
    elif reviewed and not re.match(r"^\d{4}-\d{2}-\d{2}$", str(reviewed)):
        raise ContentError(Location(rel, meta_lines.get("reviewed", 1)),
                           f"'reviewed' must be a date like 2013-08-07, not '{reviewed}'",
                           "front-matter")
    notes = meta.get("notes") or ()
    sections = _SectionBuilder(rel, offset, reporter).build(_markdown().parse(body))
    return Article(
        slug=slug, path=path, lang=lang,
        title=meta_segment("title", Role.TITLE),
        subtitle=meta_segment("subtitle", Role.SUBTITLE),
        author=str(meta.get("author") or ""), reviewed=str(reviewed or ""),
        sections=sections,
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (str(notes),),
    )


def _split_front_matter(text: str, rel: str) -> tuple[dict, dict[str, int], str, int]:
    """Return (metadata, key -> line, body, number of lines before the body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(Location(rel, 1), "missing YAML front matter (a '---' line, "
                           "'title: ...', and a closing '---')", "front-matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ContentError(Location(rel, 1), "front matter is not closed by '---'",
                           "front-matter") from None
    block = "\n".join(lines[1:end])
    import yaml

    try:  # libyaml's loader when PyYAML has it (its wheels do): 6x faster, same safe subset
        meta = yaml.load(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(Location(rel, line), f"YAML front matter: {problem}",
                           "front-matter") from exc
    if not isinstance(meta, dict):
        raise ContentError(Location(rel, 2), "front matter must be 'key: value' lines",
                           "front-matter")
    key_lines = {}
    for number, line in enumerate(lines[1:end], 2):
        if m := re.match(r"^([A-Za-z_][\w-]*)\s*:", line):
            key_lines.setdefault(m.group(1), number)
    return meta, key_lines, "\n".join(lines[end + 1:]), end + 1


def _normalise(text: str) -> str:
    """Collapse whitespace so source re-wrapping never changes a msgid."""
    return re.sub(r"\s+", " ", text).strip()


class _SectionBuilder:
    """Walks markdown-it's token stream and groups blocks into sections."""

    def __init__(self, rel: str, offset: int, reporter: Reporter):
        self.rel, self.offset, self.reporter = rel, offset, reporter
        self.sections: list[Section] = []
        self.current_id, self.current_heading = "introduction", None
        self.current_citations = False
        self.blocks: list[Block] = []
        self.seen_ids: set[str] = set()

    def loc(self, token: Token) -> Location:
        return Location(self.rel, (token.map[0] if token.map else 0) + self.offset + 1)

    def build(self, tokens: list[Token]) -> tuple[Section, ...]:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open":
                self.heading(token, tokens[i + 1])
                i += 3
            elif token.type == "paragraph_open":
                self.paragraph(token, tokens[i + 1])
                i += 3
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                i = self.list_block(tokens, i)
            elif token.type in ("html_block", "code_block", "fence"):
                if token.type != "html_block" or not token.content.lstrip().startswith("<!--"):
                    self.reporter.warn(self.loc(token), f"{token.type.replace('_', ' ')} is "
                                       "not supported and was left out", "unsupported-markdown")
                i += 1
            elif token.type == "blockquote_open" or token.type == "hr":
                if token.type != "hr":
                    self.reporter.warn(self.loc(token), "block quotes are read as plain "
                                       "paragraphs", "unsupported-markdown")
                i += 1
            else:
                i += 1
        self.close_section()
        return tuple(self.sections)

    def close_section(self) -> None:
        if self.blocks or self.current_heading is not None:
            self.sections.append(Section(self.current_id, self.current_heading,
                                         tuple(self.blocks)))
        self.blocks = []

    def heading(self, token: Token, inline: Token) -> None:
        level = int(token.tag[1])
        content = inline.content
        ident, classes = None, set()
        if m := _HEADING_ATTRS.search(content):
            for part in m.group(1).split():
                if part.startswith("#"):
                    ident = part[1:]
                else:
                    classes.add(part[1:])
            content = content[: m.start()]
        if level >= 3:
            text, links = self.inline_text(inline, override=content)
            self.blocks.append(Block(BlockKind.SUBHEADING, (self.segment(
                text, Role.SUBHEADING, token, links),)))
            return
        if level == 1:
            self.reporter.warn(self.loc(token), "'#' heading in the body: the title comes "
                               "from front matter, so it is read as a '##' section",
                               "heading-level")
        self.close_section()
        text, links = self.inline_text(inline, override=content)
        ident = ident or slugify(re.sub(r"<[^>]+>", "", text))
        if ident in self.seen_ids:
            raise ContentError(self.loc(token), f"section id '{ident}' is used twice; give "
                               "one heading an explicit id like '## Title {#other-id}'",
                               "duplicate-section")
        self.seen_ids.add(ident)
        self.current_id = ident
        self.current_citations = "references" in classes
        self.current_heading = self.segment(text, Role.HEADING, token, links)

    def paragraph(self, token: Token, inline: Token) -> None:
        images = [c for c in inline.children or [] if c.type == "image"]
        text, links = self.inline_text(inline)
        if text:
            role = Role.CITATION if self.current_citations else Role.PARAGRAPH
            kind = BlockKind.CITATIONS if self.current_citations else BlockKind.PARAGRAPH
            self.blocks.append(Block(kind, (self.segment(text, role, token, links),)))
        for image in images:
            if text:
                self.reporter.warn(self.loc(token), "an image inside text is shown after "
                                   "its paragraph", "inline-image")
            alt = _normalise("".join(c.content for c in image.children or []))
            if not alt:
                self.reporter.warn(self.loc(token), f"image '{image.attrGet('src')}' has no "
                                   "alt text; screen-reader users will not know what it shows",
                                   "image-alt")
            segment = self.segment(alt, Role.IMAGE_ALT, token, ())
            self.blocks.append(Block(BlockKind.FIGURE, (), image=Image(
                str(image.attrGet("src") or ""), segment)))

    def list_block(self, tokens: list[Token], i: int) -> int:
        opener = tokens[i]
        ordered = opener.type == "ordered_list_open"
        closer = "ordered_list_close" if ordered else "bullet_list_close"
        depth, items, j = 0, [], i + 1
        while j < len(tokens):
            t = tokens[j]
            if t.type == opener.type:
                depth += 1
                self.reporter.warn(self.loc(t), "nested lists are flattened", "nested-list")
            elif t.type == closer:
                if depth == 0:
                    break
                depth -= 1
            elif t.type == "inline" and tokens[j - 1].type == "paragraph_open":
                text, links = self.inline_text(t)
                role = Role.CITATION if self.current_citations else Role.LIST_ITEM
                items.append(self.segment(text, role, tokens[j - 1], links))
            j += 1
        if self.current_citations:
            kind = BlockKind.CITATIONS
        else:
            kind = BlockKind.NUMBERS if ordered else BlockKind.BULLETS
        start = int(opener.attrGet("start") or 1) if ordered else 1
        self.blocks.append(Block(kind, tuple(items), start=start))
        return j + 1

    def segment(self, text: str, role: Role, token: Token, links) -> Segment:
        return Segment(text, role, self.loc(token), self.current_id if role not in (
            Role.TITLE, Role.SUBTITLE) else "", tuple(links),
            translatable=role is not Role.CITATION)

    def inline_text(self, inline: Token, override: str | None = None) -> tuple[str, list[Link]]:
        """Render inline tokens to the msgid tag language; returns (text, links)."""
        children = inline.children or []
        if override is not None and override != inline.content:
            children = _markdown().parseInline(override)[0].children or []
        out: list[str] = []
        links: list[Link] = []
        for child in children:
            kind = child.type
            if kind == "text":
                if looks_like_tag(child.content):
                    self.reporter.warn(self.loc(inline), "text looks like inline markup "
                                       f"('{child.content}') and will be shown as text",
                                       "tag-like-text")
                out.append(child.content)
            elif kind == "softbreak":
                out.append(" ")
            elif kind == "hardbreak":
                out.append("<br/>")
            elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
                out.append(f"<{'/' if kind.endswith('close') else ''}{child.tag}>")
            elif kind == "code_inline":
                out.append(f"<code>{child.content}</code>")
            elif kind == "link_open":
                links.append(Link(len(links) + 1, str(child.attrGet("href") or ""),
                                  str(child.attrGet("title") or "")))
                out.append(f"<a{len(links)}>")
            elif kind == "link_close":
                out.append(f"</a{len(links)}>")
            elif kind == "html_inline":
                effect = ("is kept as inline markup" if looks_like_tag(child.content)
                          else "is shown as text")
                self.reporter.warn(self.loc(inline), f"raw HTML '{child.content}' {effect}; "
                                   "use Markdown instead", "raw-html")
                out.append(child.content)
            elif kind == "image":
                continue
        return _normalise("".join(out)), links


def source_files(source_dir: Path, root: Path, reporter: Reporter) -> list[tuple[Path, str]]:
    """Every source as (path, path as messages print it); a second file with the same slug
    (file name) in another folder is reported and left out."""
    seen: dict[str, str] = {}
    files = []
    for path in find_sources(source_dir):
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        if path.stem in seen:
            reporter.error(Location(rel, 1), f"duplicate slug '{path.stem}' (also "
                           f"{seen[path.stem]}); rename one file", "duplicate-slug")
            continue
        seen[path.stem] = rel
        files.append((path, rel))
    return files


def load_articles(source_dir: Path, root: Path, default_lang: str,
                  reporter: Reporter, read: Callable[..., Article] | None = None
                  ) -> list[Article]:
    """Read every source; a broken file is reported and skipped, the others still load.

    ``read`` replaces ``read_article`` (same arguments), e.g. by one that reuses the last
    build's parse of an unchanged file.
    """
    articles = []
    for path, rel in source_files(source_dir, root, reporter):
        try:
            articles.append((read or read_article)(path, rel, default_lang, reporter))
        except ContentError as exc:
            reporter.add(exc.issue)
    return articles
