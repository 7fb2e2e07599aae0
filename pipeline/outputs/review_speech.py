"""What the voice says, for review pages: each segment as written and as spoken (issue 14).

The audio never reads the page text as it is: the speech-text stage writes doses, units and
abbreviations out ("10 mg/día" -> "10 miligramos al día") from the locale's lexicon
(``locales/<ll>/speech.po``, which translators own). A review page shows, per segment, the
written form with each changed token in ``<mark>`` and the spoken form with its replacement
in ``<mark>``, each naming its rule, so a translator can check what a lexicon entry does.

The text is the audio's (``pipeline.stages.audio_plan.speech_parts``, the same lexicons): a
fallback segment, shown in the source language, is read with that language's lexicon. All
text is escaped here and invisible characters are written out (``visible``): translated text
is untrusted, and a refused control character must not act on the review page.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from pipeline.config import Config
from pipeline.inline import to_plain
from pipeline.locales import locale_info
from pipeline.model import LocalizedArticle, LocalizedSegment
from pipeline.speech_text import Change, SpokenSentence, speak_sentences
from pipeline.speech_text.lexicon import Lexicon, lexicon_code, lexicon_print, project_lexicon
from pipeline.speech_text.sections import spoken_segments
from pipeline.stages.audio_plan import SpeechPart, speech_parts
from pipeline.state import fingerprint
from pipeline.textsafety import visible
from pipeline.tts.voices import voice_for

Span = tuple[int, int, str]  # [start, end) and the rule that changed it


@dataclass(frozen=True)
class SpeechCell:
    """One segment's speech as a review page shows it. ``written`` and ``spoken`` are
    escaped HTML with the changed tokens marked; ``changed`` False: the voice reads the text
    as written (only ``written`` is set); ``silent``: the segment is not in the audio."""

    written: Markup = Markup("")
    spoken: Markup = Markup("")
    lang: str = ""  # BCP 47 tag of the text read (the source language for a fallback)
    dir: str = "ltr"
    changed: bool = False
    fallback: bool = False
    silent: str = ""  # why the segment is not read ("" when it is)


@dataclass(frozen=True)
class SpeechNote:
    """What the page says about speech: where the spoken forms are edited."""

    lexicon: str  # project-relative speech.po of the page's locale
    source_lexicon: str  # the one fallback (source-language) segments are read with
    source_name: str  # English name of that language
    problems: tuple[str, ...] = ()  # "path:line: message": entries skipped, a file unread


code_of = lexicon_code  # the locale code of a BCP 47 tag


def is_voiced(page: LocalizedArticle, config: Config) -> bool:
    return voice_for(page.locale, config) is not None


def speech_print(page: LocalizedArticle, config: Config, prints: dict[str, str]) -> str:
    """The lexicons a page's speech is made from (its locale's and its source language's), as
    a review job input: editing ``speech.po`` renders the review page again. ``prints``
    caches one print per locale for a build; "" for a page without a voice."""
    if not is_voiced(page, config):
        return ""
    codes = (code_of(page.locale), code_of(page.article.lang))
    for code in codes:
        if code not in prints:
            prints[code] = lexicon_print(code, config.locales_dir)
    return fingerprint([prints[code] for code in codes])


def speech_note(page: LocalizedArticle, config: Config) -> SpeechNote:
    def where(code: str) -> str:
        path = config.locales_dir / code / "speech.po"
        try:
            return path.relative_to(config.root).as_posix()
        except ValueError:
            return str(path)

    problems: list[str] = []
    for code in dict.fromkeys((code_of(page.locale), code_of(page.article.lang))):
        lexicon = project_lexicon(code, config.locales_dir)
        problems += [f"{issue.location}: {issue.message}" for issue in lexicon.issues]
    source = code_of(page.article.lang)
    return SpeechNote(where(code_of(page.locale)), where(source),
                      locale_info(source).english_name, tuple(problems))


def speech_cells(page: LocalizedArticle, config: Config) -> dict[LocalizedSegment, SpeechCell]:
    """Every segment the audio reads, with its speech; a segment not in the map (the title,
    which the page's audio does not read) is not in the audio."""
    source_voiced = voice_for(page.article.lang, config) is not None
    cells: dict[LocalizedSegment, SpeechCell] = {}
    for section in page.sections:
        read = [s for s in spoken_segments(section, config.skip_sections) if to_plain(s.text)]
        for segment, part in zip(read, speech_parts(section, config.skip_sections)):
            if part.is_fallback and not source_voiced:
                name = locale_info(code_of(part.lang)).english_name
                cells[segment] = SpeechCell(silent=f"not read: {name} has no voice")
            else:
                cells[segment] = _cell(segment, part, config)
    return cells


def _cell(segment: LocalizedSegment, part: SpeechPart, config: Config) -> SpeechCell:
    plain = to_plain(segment.text)  # what the page shows; part.text may end in an added "."
    lexicon = project_lexicon(code_of(part.lang), config.locales_dir)
    sentences = speak_sentences(part.text, part.lang, lexicon)
    spans = [(s.sentence.start + c.display[0], s.sentence.start + c.display[1],
              rule_name(c, lexicon)) for s in sentences for c in s.spoken.changes]
    written = marked(plain, [(a, min(b, len(plain)), rule) for a, b, rule in spans
                             if a < len(plain)])
    cell = SpeechCell(written, lang=part.lang, dir=segment.dir, fallback=part.is_fallback)
    if not spans:
        return cell
    spoken = _spoken(sentences, [rule for _, _, rule in spans], len(part.text) > len(plain))
    return SpeechCell(written, spoken, part.lang, segment.dir, True, part.is_fallback)


def rule_name(change: Change, lexicon: Lexicon) -> str:
    """The rule a review page names: for a lexicon entry its kind, the ``msgctxt`` a
    translator looks for in ``speech.po`` ("acronym", "abbreviation", "term")."""
    if change.rule != "lexicon":
        return change.rule
    forms = (change.written, change.written[:1].lower() + change.written[1:])
    return next((kind for kind in ("acronym", "abbreviation", "term") for form in forms
                 if lexicon.get(kind, form)), change.rule)


def _spoken(sentences: tuple[SpokenSentence, ...], rules: list[str], added: bool) -> Markup:
    """The speech text, sentence after sentence, each replacement marked and its rule named
    for screen readers too; without the full stop the audio adds to a heading or list item
    (the voice pauses there; a reviewer would take it for a change)."""
    out, names = [], iter(rules)
    for number, item in enumerate(sentences, 1):
        text, changes = item.spoken.spoken, item.spoken.changes
        last = number == len(sentences)
        if last and added and text.endswith(".") and not (
                changes and changes[-1].spoken[1] == len(text)):
            text = text[:-1]
        out.append(marked(text, [(*c.spoken, next(names)) for c in changes], say_rule=True))
    return Markup(" ").join(out)


def marked(text: str, spans: list[Span], say_rule: bool = False) -> Markup:
    """``text`` escaped, each span in ``<mark>`` with its rule as the title (and, with
    ``say_rule``, in small text after it); spans are in order, not overlapping."""
    out, pos = [], 0
    for start, end, rule in spans:
        out.append(escape(visible(text[pos:start])))
        out.append(Markup('<mark title="rule: {0}" data-rule="{0}">{1}</mark>').format(
            rule, visible(text[start:end])))
        if say_rule:  # shown, not only hidden for screen readers: a translator checks it
            out.append(Markup(' <small class="rule">({0})</small>').format(rule))
        pos = max(pos, end)
    out.append(escape(visible(text[pos:])))
    return Markup("").join(out)
