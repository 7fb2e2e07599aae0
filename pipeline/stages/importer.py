"""Import stage: a health-library plain-text export -> Markdown for ``source/<slug>.md``.

The exports are lossy: they have no title, headings are bare short lines, and some headings
(and the "Resources" / "References" headings) are gone. The importer recovers what it can by
plain rules and reports every guess, so a person can review the file before it is published.
It never drops a sentence: only known site chrome and the ``by NAME`` line (kept as ``author``)
leave the text.

Title and slug rules, in order:
1. The file name looks like a slug (lower-case letters, digits, hyphens, with a word of three or
   more letters, e.g. ``dermatomyositis.txt``): it is the slug; the title is made from it.
2. Otherwise the topic word: the most frequent word of five or more letters (generic health
   words left out) that is in the first paragraph, used at least three times and at least two
   times more than any other word. The title is that word, the slug is made from the title.
3. Otherwise a placeholder title from the subtitle or the first heading.
The title is always reported as a guess. For ``000_47e7b661cb9ca7a2.txt`` (the dermatomyositis
seed) rule 2 gives the title "Dermatomyositis" and the slug ``dermatomyositis``.
"""
from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.model import Location
from pipeline.report import ContentError
from pipeline.stages.read import MAX_SOURCE_BYTES, SLUG_RE, slugify

# Navigation the health-library site prints around every article; compared case-insensitively.
CHROME_LINES = frozenset({"munson health", "back to document", "revision information"})
BULLET_CHARS = "•◦▪●"
MAX_HEADING_WORDS = 8
WRAP_COLUMNS = 100
_AUTHOR = re.compile(r"^by\s+(\S.*)$")
_SUBTITLE = re.compile(r"^\((.+)\)$")
_SENTENCE_END = re.compile(r"[.!?:;][\"”’)]?$")
# A citation shows at least two of these; one alone ("visit the website.") is body text.
_CITATION_HINTS = tuple(re.compile(p) for p in (
    r"^[A-Z][\w'’-]+ [A-Z]{1,3}[,.]", r"\bet al\.", r"\b(?:19|20)\d\d;\s*\d+", r"\bwebsite\.",
    r"\bAccessed [A-Z][a-z]* \d", r"\bAvailable at:", r"\b(?:19|20)\d\d\.$"))
# Words that occur in any health article, so they say nothing about its topic.
_GENERIC_WORDS = frozenset(
    "treatment treatments symptoms doctor doctors health condition medication medications "
    "options include including following there these their other about which should could "
    "would needed website available accessed updated january february march april june july "
    "august september october november december".split())
# Inline characters CommonMark could read as markup; a backslash keeps them literal.
_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]<]|&(?=#?\w+;)")
# Line starts that would open a block (heading, quote, list, setext underline, fence).
_BLOCK_START = re.compile(r"^(?:[#>+=~-]|(\d{1,9})(?=[.)](?:\s|$)))")


@dataclass(frozen=True)
class Guess:
    """Something the importer guessed, for a person to review."""

    line: int  # line in the .txt file
    message: str


@dataclass(frozen=True)
class ImportResult:
    slug: str
    markdown: str
    guesses: tuple[Guess, ...]


@dataclass
class _Block:  # non-blank lines between blank lines; ``gap``: blank lines before it
    lines: list[tuple[int, str]]
    gap: int


@dataclass
class _Part:  # one Markdown block to write: heading, paragraph, bullets, numbers or comment
    kind: str
    texts: list[str]
    line: int
    id: str = ""
    classes: str = ""


@dataclass
class _Draft:
    parts: list[_Part] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)
    ids: set[str] = field(default_factory=lambda: {"introduction"})
    found_headings: list[tuple[int, str]] = field(default_factory=list)  # not invented ones

    def heading(self, text: str, line: int, classes: str = "") -> None:
        ident = base = slugify(text)
        n = 1
        while ident in self.ids:  # ids must stay unique: they name audio files and anchors
            n += 1
            ident = f"{base}-{n}"
        self.ids.add(ident)
        self.parts.append(_Part("heading", [text], line, ident, classes))


def import_export(path: Path) -> ImportResult:
    """Turn one text export into Markdown; raises ContentError when there is no usable text."""
    path = Path(path)
    blocks = _blocks(_read_lines(path))
    author, subtitle, subtitle_line = "", "", 0
    while blocks and len(blocks[0].lines) == 1:  # the by-line and subtitle stand alone on top
        line, text = blocks[0].lines[0]
        if (m := _AUTHOR.match(text.strip())) and not author:
            author = m.group(1).strip()
        elif (m := _SUBTITLE.match(text.strip())) and not subtitle:
            subtitle, subtitle_line = m.group(1).strip(), line
        else:
            break
        blocks.pop(0)
    if not blocks:
        raise ContentError(Location(str(path), 1), "no article text (the file is empty or has "
                           "only site chrome, a by-line and a subtitle)", "import-empty")
    draft = _Draft()
    references = _take_trailing(blocks, lambda b: all(
        sum(bool(h.search(t)) for h in _CITATION_HINTS) >= 2 for _, t in b.lines))
    resources = _take_trailing(blocks, lambda b: all(_is_short(t) for _, t in b.lines))
    _body(blocks, draft)
    if resources:
        _resources(resources, draft)
    if references:
        _references(references, draft)
    title, slug, title_guess = _title_and_slug(path, draft, subtitle, subtitle_line)
    guesses = [title_guess, *sorted(draft.guesses, key=lambda g: g.line)]
    notes = [f'Imported by "pipeline import" from the health-library text export '
             f'"{path.name}". A person should check these guesses (lines of the export):']
    notes += [f"line {g.line}: {g.message}" for g in guesses]
    meta = {"title": title, "subtitle": subtitle, "author": author, "notes": notes}
    front = yaml.safe_dump({k: v for k, v in meta.items() if v}, sort_keys=False,
                           allow_unicode=True, width=WRAP_COLUMNS - 8)
    body = "\n\n".join(_render(part) for part in draft.parts)
    return ImportResult(slug, f"---\n{front}---\n\n{body}\n", tuple(guesses))


def _read_lines(path: Path) -> list[str]:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:  # the article it makes would be refused: stop here
            raise ContentError(Location(str(path), 1), f"the file is {size / 1e6:.1f} MB; "
                               f"exports are limited to {MAX_SOURCE_BYTES / 1e6:g} MB",
                               "too-large")
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(Location(str(path)), f"cannot read: {exc.strerror}",
                           "unreadable") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(Location(str(path), line), f"not valid UTF-8 ({exc.reason}); "
                           "save the export as UTF-8 and import it again", "encoding") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blocks(lines: list[str]) -> list[_Block]:
    """Group lines into blocks; chrome lines count as blank (they stand on their own line)."""
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []
    gap = 0
    for number, raw in enumerate(lines, 1):
        if not raw.strip() or raw.strip().lower() in CHROME_LINES:
            if current:
                blocks.append(_Block(current, gap))
                current, gap = [], 0
            gap += 1
        else:
            current.append((number, raw.rstrip()))
    if current:
        blocks.append(_Block(current, gap))
    return blocks


def _is_bullet(text: str) -> bool:
    return text.lstrip()[:1] in BULLET_CHARS


def _is_short(text: str) -> bool:
    """A heading or organisation name: a few words, no end punctuation, not a bullet."""
    text = text.strip()
    return (len(text.split()) <= MAX_HEADING_WORDS and text[-1] not in ".!?:;,"
            and not _is_bullet(text) and any(c.isalpha() for c in text))


def _take_trailing(blocks: list[_Block], test) -> list[_Block]:
    """Remove and return the blocks at the end of ``blocks`` that pass ``test``."""
    start = len(blocks)
    while start > 0 and test(blocks[start - 1]):
        start -= 1
    taken = blocks[start:]
    del blocks[start:]
    return taken


def _body(blocks: list[_Block], draft: _Draft) -> None:
    previous = ""
    for block in blocks:
        line, first = block.lines[0]
        if len(block.lines) == 1 and _is_short(first):
            draft.heading(first.strip(), line)
            draft.found_headings.append((line, first.strip()))
            previous = "heading"
            continue
        # The exports leave two or more blank lines where they dropped a heading (the seed's
        # "Medications"); the text stays a paragraph, but a person has to look.
        if previous in ("paragraph", "bullets") and block.gap >= 2 and not _is_bullet(first):
            draft.guesses.append(Guess(line, f"a heading may have been lost before line {line}"
                                       " (two or more blank lines after a paragraph or list); "
                                       'if so, add "## Heading {#id}"'))
            draft.parts.append(_Part("comment", ["a heading may have been lost here"], line))
        for part in _lines_to_parts(block):
            draft.parts.append(part)
            previous = part.kind
    if found := draft.found_headings:
        listed = ", ".join(f'"{text}" (line {line})' for line, text in found)
        draft.guesses.append(Guess(found[0][0], f"short lines read as section headings: "
                                   f"{listed}; check that each is a heading"))


def _lines_to_parts(block: _Block) -> list[_Part]:
    """Bullets become list items; other lines are paragraphs (one per line in the exports,
    but a line without sentence-end punctuation is continued by the next)."""
    parts: list[_Part] = []
    for line, raw in block.lines:
        text = raw.strip()
        last = parts[-1] if parts else None
        if _is_bullet(text):
            item = text[1:].strip()
            if last and last.kind == "bullets":
                last.texts.append(item)
            else:
                parts.append(_Part("bullets", [item], line))
        elif last and last.kind == "bullets" and raw[:1].isspace():
            last.texts[-1] += " " + text  # an indented line continues a wrapped bullet
        elif last and last.kind == "paragraph" and not _SENTENCE_END.search(last.texts[-1]):
            last.texts[-1] += " " + text
        else:
            parts.append(_Part("paragraph", [text], line))
    for part in parts:
        part.texts = [t for t in part.texts if t]  # a bare bullet character holds no words
    return [p for p in parts if p.texts]


def _resources(blocks: list[_Block], draft: _Draft) -> None:
    """Organisation names after the body. Items of one group are one blank line apart, groups
    two or more apart (in the seed: one group per country, whose subheadings were lost)."""
    draft.heading("Resources", blocks[0].lines[0][0])
    groups: list[list[tuple[int, str]]] = []
    for block in blocks:
        if not groups or block.gap >= 2:
            groups.append([])
        groups[-1].extend(block.lines)
    for number, group in enumerate(groups):
        if number:  # a comment ends the list before it, so each group stays its own list
            draft.parts.append(_Part("comment", ["next group of resources; the export lost "
                                                 "its subheading"], group[0][0]))
        draft.parts.append(_Part("bullets", [t.strip() for _, t in group], group[0][0]))
    starts = ", ".join(str(g[0][0]) for g in groups)
    draft.guesses.append(Guess(blocks[0].lines[0][0], f"{sum(map(len, groups))} short lines "
                               f'after the body were read as a "Resources" list in {len(groups)}'
                               f" group(s) starting at line(s) {starts}; the export lost their "
                               "heading and perhaps a subheading per group (e.g. a country)"))


def _references(blocks: list[_Block], draft: _Draft) -> None:
    line = blocks[0].lines[0][0]
    draft.heading("References", line, ".references")
    citations = [t.strip().lstrip(BULLET_CHARS).strip() for b in blocks for _, t in b.lines]
    draft.parts.append(_Part("numbers", citations, line))
    draft.guesses.append(Guess(line, f"{len(citations)} lines at the end were read as reference "
                               'citations (a "References" section, not translated); check '
                               "that each is one citation"))


def _title_and_slug(path: Path, draft: _Draft, subtitle: str,
                    subtitle_line: int) -> tuple[str, str, Guess]:
    stem = path.stem
    if SLUG_RE.match(stem) and re.search(r"[a-z]{3}", stem):
        title = stem.replace("-", " ").capitalize()
        return title, stem, Guess(1, f'the export has no title; "{title}" was made from the '
                                  "file name: check the title in the front matter")
    # Body text and citations only: the invented headings must not vote for the topic.
    texts = [t for p in draft.parts if p.kind in ("paragraph", "bullets", "numbers")
             for t in p.texts]
    paragraphs = [p for p in draft.parts if p.kind == "paragraph"]
    counts = Counter(w for t in texts for w in _words(t)
                     if len(w) >= 5 and w not in _GENERIC_WORDS)
    (word, n), (_, runner_up) = (counts.most_common(2) + [("", 0), ("", 0)])[:2]
    if paragraphs and n >= 3 and n >= runner_up + 2 and word in _words(paragraphs[0].texts[0]):
        title, line = word[:1].upper() + word[1:], paragraphs[0].line
        return title, slugify(title), Guess(line, (
            f'the export has no title; "{title}" is a guess from the most frequent topic word '
            f'("{word}", {n} times, in the first paragraph on line {line}): write the real '
            f'title (e.g. "Treatment for ...") and rename the file if the slug '
            f'"{slugify(title)}" should change'))
    headings = draft.found_headings
    source, line, title = (("subtitle", subtitle_line, subtitle) if subtitle else
                           ("first heading", *headings[0]) if headings
                           else ("nothing", 1, "Untitled article"))
    return title, slugify(title), Guess(line, (
        f'the export has no title and no clear topic word; the title "{title}" is only a '
        f"placeholder made from the {source}: replace it and rename the file"))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z'’-]*[a-z]", text.lower())


def _render(part: _Part) -> str:
    if part.kind == "heading":
        text = _escape_start(_escape_inline(" ".join(part.texts[0].split())))
        return f"## {text} {{#{part.id}{' ' + part.classes if part.classes else ''}}}"
    if part.kind == "comment":  # the reader skips HTML comments; they mark guesses in place
        return f"<!-- {part.texts[0]} (line {part.line} of the export) -->"
    if part.kind == "paragraph":
        return _wrap(part.texts[0], "", "")
    if part.kind == "bullets":
        return "\n".join(_wrap(t, "- ", "  ") for t in part.texts)
    width = len(str(len(part.texts))) + 2  # "10. " needs one more column of indentation
    return "\n".join(_wrap(t, f"{n}. ".ljust(width), " " * width)
                     for n, t in enumerate(part.texts, 1))


def _wrap(text: str, first: str, rest: str) -> str:
    """Wrap at about 100 columns; the reader collapses whitespace, so no msgid changes."""
    lines = textwrap.wrap(_escape_inline(text), WRAP_COLUMNS - len(first),
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join((rest if i else first) + _escape_start(line)
                     for i, line in enumerate(lines))


def _escape_inline(text: str) -> str:
    return _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _escape_start(line: str) -> str:
    """Keep text like '1. ...' or '# ...' at the start of a line from opening a block."""
    m = _BLOCK_START.match(line)
    if not m:
        return line
    if m.group(1):  # "1." -> "1\." so the number stays text
        return m.group(1) + "\\" + line[m.end():]
    return "\\" + line
