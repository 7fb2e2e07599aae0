"""Read stage: ``source/<slug>.md`` (CommonMark + YAML front matter) -> ``Article``.

Every segment keeps the line it starts on, so that catalogs, checks and the build can point a
person at ``source/<slug>.md:LINE``.

Sources are checked at the door: a file larger than MAX_SOURCE_BYTES is refused unread
(``[too-large]``), lists and block quotes nested deeper than MAX_NESTING are an error at their
line (``[nesting]``: the article is skipped rather than published with text missing), and an
image must be a file inside ``source/`` (``[path]``: the page shows its alt text instead).
Front matter is read by front_matter.py.
"""
from __future__ import annotations

import re
import stat
import unicodedata
from functools import lru_cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Callable

from pipeline.confine import image_path, image_problem, inside
from pipeline.inline import looks_like_tag
from pipeline.jobs import Job
from pipeline.model import (Article, Block, BlockKind, Image, Link, Location, Role, Section,
                            Segment)
from pipeline.report import ContentError, Reporter
from pipeline.stages.front_matter import checked_meta, split_front_matter

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The sample article is 3 kB and long ones are ~100 kB. Parsing costs ~3.5 s and 100 MB per
# MB of Markdown (a 20 MB file took 194 s and 2.3 GB), so a larger file is refused unread.
MAX_SOURCE_BYTES = 2_000_000
# Lists and block quotes nested deeper than this are an error at their line: markdown-it
# drops whatever lies deeper than its own limit without a word, and no real article nests
# more than three or four levels.
MAX_NESTING = 10
_HEADING_ATTRS = re.compile(r"\s*\{((?:\s*[#.][\w-]+)+)\s*\}\s*$")

if TYPE_CHECKING:
    from pipeline.incremental import Incremental
    from pipeline.config import Config
    from markdown_it.token import Token


@lru_cache(maxsize=1)
def _markdown():
    """The parser, loaded when a source is parsed at all: rebuilds reuse parsed articles."""
    from markdown_it import MarkdownIt

    # Above our limit (a list is two of markdown-it's levels: list and item), so that text
    # nested too deep reaches _check_nesting, which reports it, instead of vanishing.
    return MarkdownIt("commonmark", {"maxNesting": 2 * MAX_NESTING + 2})


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
    text = _read_source(path, rel)
    front = split_front_matter(text, rel)
    lang, reviewed = checked_meta(front, rel, default_lang, reporter)
    meta = front.meta

    def meta_segment(key: str, role: Role) -> Segment | None:
        value = meta.get(key)
        if value is None:
            return None
        return Segment(_normalise(str(value)), role, Location(rel, front.line(key)), "")

    notes = meta.get("notes") or ()
    tokens = _markdown().parse(front.body)
    _check_nesting(tokens, rel, front.offset)
    sections = _SectionBuilder(rel, front.offset, reporter, _depth(rel), path.parent,
                               _project_root(path, rel)).build(tokens)
    return Article(
        slug=slug, path=path, lang=lang,
        title=meta_segment("title", Role.TITLE),
        subtitle=meta_segment("subtitle", Role.SUBTITLE),
        author=str(meta.get("author") or ""), reviewed=reviewed,
        sections=sections,
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (str(notes),),
    )


def _read_source(path: Path, rel: str) -> str:
    """The text of a source, with its line ends made ``\\n``; too large a file is not read."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a folder, or a pipe that would never end
            raise ContentError(Location(rel), "cannot read: not a regular file", "unreadable")
        size = info.st_size
        if size > MAX_SOURCE_BYTES:
            raise ContentError(Location(rel, 1), f"the file is {size / 1e6:.1f} MB; sources "
                               f"are limited to {MAX_SOURCE_BYTES / 1e6:g} MB (split the "
                               "article)", "too-large")
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(Location(rel), f"cannot read: {exc.strerror}", "unreadable") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(Location(rel, line), f"not valid UTF-8 ({exc.reason})",
                           "encoding") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _depth(rel: str) -> int:
    """How many folders below ``source/`` a source is (``source/x.md``: 0)."""
    parts = PurePath(rel).parts
    return max(0, len(parts) - 2) if not PurePath(rel).is_absolute() else 0


def _project_root(path: Path, rel: str) -> Path:
    """The content project a source belongs to (``rel`` is its path from there)."""
    parents = Path(path).parents
    return parents[min(_depth(rel) + 1, len(parents) - 1)]


def _check_nesting(tokens: list[Token], rel: str, offset: int) -> None:
    depth = 0
    for token in tokens:
        if token.type in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth > MAX_NESTING:
                line = (token.map[0] if token.map else 0) + offset + 1
                raise ContentError(Location(rel, line), f"lists and block quotes are nested "
                                   f"more than {MAX_NESTING} levels deep here; flatten them "
                                   "(text nested deeper would be lost)", "nesting")
        elif token.type in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            depth -= 1


def _normalise(text: str) -> str:
    """Collapse whitespace so source re-wrapping never changes a msgid."""
    return re.sub(r"\s+", " ", text).strip()


class _SectionBuilder:
    """Walks markdown-it's token stream and groups blocks into sections."""

    def __init__(self, rel: str, offset: int, reporter: Reporter, depth: int = 0,
                 folder: Path | None = None, root: Path | None = None):
        self.rel, self.offset, self.reporter = rel, offset, reporter
        # For images: how deep below source/ the source is, its folder and its project.
        self.depth, self.folder, self.root = depth, folder, root
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
            src = str(image.attrGet("src") or "")
            if self.image_allowed(src, token):
                self.blocks.append(Block(BlockKind.FIGURE, (), image=Image(src, segment)))
            elif alt:  # the page goes without the image, and says what it showed
                self.blocks.append(Block(BlockKind.PARAGRAPH, (segment,)))

    def image_allowed(self, src: str, token: Token) -> bool:
        """An image must be a file inside ``source/`` (the build copies it into the site):
        ``../../etc/passwd`` or a link to a file outside the project is an error."""
        if not src or "://" in src:
            return True  # nothing to copy; the build reports it
        if problem := image_problem(src, self.depth):
            self.reporter.error(self.loc(token), f"image '{src}' {problem}", "path")
            return False
        if self.folder is None or self.root is None:
            return True
        file = self.folder / image_path(src)
        if file.exists() and not inside(file, self.root):
            self.reporter.error(self.loc(token), f"image '{src}' is a symbolic link to a "
                                "file outside the project", "path")
            return False
        return True

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
        if not inside(path, root):  # a symbolic link, or source/ itself one
            reporter.error(Location(rel), "is a symbolic link to a file outside the project; "
                           "it is not read", "path")
            continue
        if not path.is_file():  # a folder named x.md, or a pipe whose reading never ends
            reporter.error(Location(rel), "cannot read: not a regular file", "unreadable")
            continue
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


def read_sources(config: "Config", reporter: Reporter, read: Callable | None = None
                 ) -> list[Article]:
    """Every article of a content project (``read``: a caching ``read_article``)."""
    if not config.source_dir.is_dir():
        reporter.error(Location(config.rel(config.source_dir)), "no source folder",
                       "no-sources")
        return []
    return load_articles(config.source_dir, config.root, config.source_language, reporter,
                         read)


def cached_reader(done: "Incremental") -> Callable[..., Article]:
    """``read_article`` as a job: an unchanged source reuses the last build's parse (and
    repeats its warnings); a source with an error is parsed again next time."""
    def read(path: Path, rel: str, default_lang: str, reporter: Reporter) -> Article:
        job = Job("read", rel, {"source": done.file(path), "lang": default_lang})
        return done.run(job, lambda collect: read_article(path, rel, default_lang, collect),
                        reporter)

    return read
