"""Audio planning: which sections of which pages are spoken, by which voice, and the content
address of each section's speech (the key of the audio cache).

A page whose localization inputs are unchanged keeps last build's plan: planning a library's
13,000 sections (plain text, voices, content hashes) took longer than the rest of a rebuild.

Speech is bounded here, before it reaches a voice: a segment longer than MAX_SEGMENT_CHARS, or
a translation far longer than its source (an 80 KB msgstr for a one-sentence source was spoken
as 92 minutes; a 64 KB one crashed espeak-ng), fails its section with an error at the
segment's own line, and is never synthesized. Each job also gets a time limit (time_limit).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence

from pipeline.audio import MP3_QUALITY
from pipeline.config import DEFAULT_SKIP_SECTIONS, Config
from pipeline.inline import to_plain
from pipeline.locales import locale_info
from pipeline.jobs import Job
from pipeline.model import LocalizedArticle, LocalizedSection, LocalizedSegment, Location
from pipeline.speech_text.engine import normalize
from pipeline.speech_text.lexicon import Lexicon, lexicon_code, lexicon_for, lexicon_print
from pipeline.speech_text.sections import (SegmentSentences, section_sentences,
                                           spoken_segments)
from pipeline.state import fingerprint
from pipeline.tts.voices import rate_for, voice_for

GAP_SECONDS = 0.25  # silence between segments: a listener hears where one item ends
# Bump to re-synthesize everything after a format change. v2: spoken sentence by sentence;
# v3: the voice gets the speech text (speech_text/), the sentences its splitter finds;
# v4: every section at -16 LUFS, peaks under -1 dBTP (loudness.py).
AUDIO_FORMAT = "section-mp3-v4"
MAX_SEGMENT_CHARS = 8_000  # ~1,300 words, ~9 minutes of speech: no paragraph is this long
# A translation may run longer than its source (Spanish ~1.2x, short strings more), but by
# at most this factor plus GROWTH_ALLOWANCE characters before it is taken for a mistake.
MAX_GROWTH = 3.0
GROWTH_ALLOWANCE = 200
# A section's time limit: a fixed allowance (a worker's start-up under load) and so much per
# character of text. espeak-ng and the encoder get through ~1,000 characters a second here,
# so 50 a second is 20 times slower than normal: a section that takes longer is stuck.
JOB_SECONDS = 20.0
SECONDS_PER_CHAR = 0.02
_SENTENCE_END = tuple(".!?…。！？؟۔:;")
_CLOSERS = "\"'”’»)]」』）"
_ISO639_2 = {"en": "eng", "es": "spa", "zh": "zho", "vi": "vie", "ar": "ara", "ht": "hat",
             "ru": "rus", "fr": "fra", "pt": "por", "tl": "tgl", "so": "som", "ko": "kor"}


class SpeechPart(NamedTuple):
    text: str  # plain text, ending with sentence punctuation so the voice pauses
    lang: str  # BCP 47 tag of the language the text is in
    is_fallback: bool  # shown (and so read) in the source language


@dataclass(frozen=True)
class Utterance:
    text: str  # the segment's plain text, as the page shows it
    lang: str
    voice: str
    rate: int
    where: Location = Location("")  # the segment's PO or source line (not in the speech key)
    # What the voice gets, sentence by sentence (speech_text/): the page's words with doses,
    # units and abbreviations written out as they are said. Empty: ``text`` as one sentence.
    sentences: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # each sentence's element id on the page (not in the key)

    @property
    def spoken(self) -> tuple[str, ...]:
        return self.sentences or (self.text,)


@dataclass(frozen=True)
class SectionJob:
    """Everything a worker needs for one section, small and picklable."""

    label: str  # "slug [locale] section 'id'", for messages
    utterances: tuple[Utterance, ...]
    path: str  # absolute output path
    rel_path: str  # relative to output_dir, with forward slashes
    locale: str
    slug: str
    section_id: str
    voice: str  # the locale's voice
    tags: tuple[tuple[str, str], ...]  # ID3 frame id -> text
    key: str = ""  # content address of the speech (text, voices, rates, engine, encoder)
    cache: str = ""  # absolute path of the cached, untagged MP3 for ``key``
    problem: str = ""  # why the section is not spoken at all (a segment too long)
    problem_part: int = -1  # the utterance ``problem`` is about


def time_limit(job: SectionJob) -> float:
    """Seconds a worker may take over ``job`` before it is stopped and the section fails."""
    return JOB_SECONDS + SECONDS_PER_CHAR * sum(len(s) for u in job.utterances
                                                for s in u.spoken)


def speech_parts(section: LocalizedSection,
                 skip: frozenset[str] = DEFAULT_SKIP_SECTIONS) -> list[SpeechPart]:
    """What a listener hears, in page order; segments without words are left out.

    Timings follow this order, so timing ``i`` belongs to the ``i``-th segment of
    ``spoken_segments(section)`` whose ``to_plain(text)`` is not empty (reference lists
    are not read).
    """
    return [part for _, part in _spoken(section, skip)]


def _spoken(section: LocalizedSection, skip: frozenset[str]
            ) -> list[tuple[LocalizedSegment, SpeechPart]]:
    parts = []
    for segment in spoken_segments(section, skip):
        text = to_plain(segment.text)
        if text:
            parts.append((segment, SpeechPart(_end_sentence(text), segment.lang,
                                              segment.status.is_fallback)))
    return parts


def _end_sentence(text: str) -> str:
    """Headings and list items often lack a full stop; without one espeak runs them together."""
    return text if text.rstrip(_CLOSERS).endswith(_SENTENCE_END) else text + "."


@dataclass(frozen=True)
class PagePlan:
    """The audio jobs of one page; ``silent`` when its language has no voice."""

    jobs: tuple[SectionJob, ...]
    where: tuple[Location, ...]  # per job: the PO or source line its errors point at
    silent: bool = False
    print: str = ""  # fingerprint of the jobs' speech, paths and tags


@dataclass(frozen=True)
class AudioPlan:
    jobs: tuple[SectionJob, ...]
    silent_locales: tuple[str, ...]
    where: Mapping[str, Location]  # output path -> where its errors point
    pages: tuple[PagePlan, ...]


def plan_audio(articles: Sequence[LocalizedArticle], config: Config, output_dir: Path,
               cache_dir: Path, engine: str, state: Any = None,
               page_inputs: Mapping[tuple[str, str], str] | None = None) -> AudioPlan:
    """Jobs for every section with words, locales without a voice, and where to point errors.

    ``page_inputs`` (slug, locale) -> fingerprint of what the localized page was made from;
    with ``state`` (an Incremental), an unchanged page reuses its last plan.
    """
    pages = []
    for article in articles:
        inputs = (page_inputs or {}).get((article.slug, article.locale))
        parts = None
        if state is not None and inputs is not None:
            parts = Job("plan", f"{article.locale}:{article.slug}", {
                "page": inputs, "engine": engine, "output": str(output_dir),
                "cache": str(cache_dir), "speech": _speech_print(article, config),
                "skip": ",".join(sorted(config.skip_sections))})
            cached = state.fresh(parts)
            if cached is not None:
                pages.append(cached)
                continue
        plan = _plan_page(article, config, output_dir, cache_dir, engine)
        if parts is not None:
            state.record_job(parts, _light(plan))
        pages.append(plan)
    return _assemble(articles, tuple(pages))


def _assemble(articles: Sequence[LocalizedArticle], pages: tuple[PagePlan, ...]) -> AudioPlan:
    silent = []
    for article, plan in zip(articles, pages):
        if plan.silent and article.locale not in silent:
            silent.append(article.locale)
    jobs = tuple(job for plan in pages for job in plan.jobs)
    where = {job.path: place for plan in pages for job, place in zip(plan.jobs, plan.where)}
    return AudioPlan(jobs, tuple(silent), where, pages)


def _light(plan: PagePlan) -> PagePlan:
    """The plan as kept between builds: paths and content keys only. Speech text, tags and
    error locations (most of its size) are needed only for a section that must be published
    or synthesized again, and ``complete`` plans such a page again."""
    return replace(plan, jobs=tuple(replace(job, utterances=(), tags=()) for job in plan.jobs),
                   where=())


def _is_light(plan: PagePlan) -> bool:
    return bool(plan.jobs) and not plan.jobs[0].utterances


def complete(plan: AudioPlan, done: set[tuple[str, str]], articles: Sequence[LocalizedArticle],
             config: Config, output_dir: Path, cache_dir: Path, engine: str) -> AudioPlan:
    """``plan`` with every page whose audio is not ``done`` (locale, slug) planned in full."""
    redo = {(page.jobs[0].locale, page.jobs[0].slug) for page in plan.pages
            if _is_light(page) and (page.jobs[0].locale, page.jobs[0].slug) not in done}
    if not redo:
        return plan
    pages = tuple(_plan_page(article, config, output_dir, cache_dir, engine)
                  if (article.locale, article.slug) in redo else page
                  for article, page in zip(articles, plan.pages))
    return _assemble(articles, pages)


def _plan_page(article: LocalizedArticle, config: Config, output_dir: Path, cache_dir: Path,
               engine: str) -> PagePlan:
    voice = voice_for(article.locale, config)
    if voice is None:
        return PagePlan((), (), silent=True)
    rate = rate_for(article.locale, config)
    # Fallback text is in the article's own language (front matter ``lang``), which is
    # usually, but not necessarily, the project's source language.
    source_voice = voice_for(article.article.lang, config)
    source_rate = rate_for(article.article.lang, config)
    title = to_plain(article.title.text)
    voices = {False: (voice, rate), True: (source_voice, source_rate)}  # by is_fallback
    lexicons = lexicon_for(config.locales_dir)
    jobs, where = [], []
    for number, section in enumerate(article.sections, 1):
        spoken = [(item.segment, _part(item), item)
                  for item in section_sentences(section, lexicons, config.skip_sections)
                  if not (item.segment.status.is_fallback and source_voice is None)]
        utterances = tuple(
            Utterance(p.text, p.lang, *voices[p.is_fallback],
                      _segment_location(article, seg, config),
                      _said(item, lexicons(p.lang)), item.ids)
            for seg, p, item in spoken)
        if not utterances:
            continue
        rel = f"{article.lang}/audio/{article.slug}/{section.id}.mp3"
        heading = to_plain(section.heading.text) if section.heading else title
        language = _ISO639_2.get(locale_info(article.locale).language)
        tags = (("TIT2", heading), ("TALB", title), ("TPE1", config.name),
                ("TRCK", f"{number}/{len(article.sections)}")) + (
            (("TLAN", language),) if language else ())
        label = f"{article.slug} [{article.locale}] section '{section.id}'"
        key = fingerprint(AUDIO_FORMAT, engine, GAP_SECONDS, MP3_QUALITY,
                          [(u.spoken, u.lang, u.voice, u.rate) for u in utterances])
        problem, part = next(((why, index) for index, (segment, p, _) in enumerate(spoken)
                              if (why := _too_long(segment, p))), ("", -1))
        jobs.append(SectionJob(label, utterances, str(output_dir / rel), rel, article.locale,
                               article.slug, section.id, voice, tags, key,
                               str(cache_dir / key[:2] / f"{key}.mp3"), problem, part))
        where.append(_location(article, section, config))
    return PagePlan(tuple(jobs), tuple(where),
                    print=fingerprint([(j.key, j.rel_path, j.tags) for j in jobs]))


def _speech_print(article: LocalizedArticle, config: Config) -> str:
    return fingerprint([lexicon_print(lexicon_code(lang), config.locales_dir)
                        for lang in (article.locale, article.article.lang)])


def _part(item: SegmentSentences) -> SpeechPart:
    segment = item.segment
    return SpeechPart(_end_sentence(item.plain), segment.lang, segment.status.is_fallback)


def _said(item: SegmentSentences, lexicon: Lexicon) -> tuple[str, ...]:
    """What the voice gets for a segment, sentence by sentence (the key of its audio is made
    from these: an edit to the lexicon re-speaks exactly the sections whose speech changed);
    the last one ends a sentence, as a heading or list item on its own does not."""
    lang = item.segment.lang
    said = [normalize(sentence.text, lang, lexicon).spoken for sentence in item.sentences]
    said[-1] = _end_sentence(said[-1])
    return tuple(said)


def _too_long(segment: LocalizedSegment, part: SpeechPart) -> str:
    """Why a segment's text must not reach the voice, or ""."""
    length = len(part.text)
    if not part.is_fallback and segment.text != segment.source.text:
        source = len(to_plain(segment.source.text))
        if length > MAX_GROWTH * source + GROWTH_ALLOWANCE:
            return (f"the translation is {length:,} characters long, "
                    f"{length / max(source, 1):.0f} times its source's {source:,}; not "
                    "spoken (check the msgstr)")
    if length > MAX_SEGMENT_CHARS:
        return (f"a segment of {length:,} characters is too long to speak (the limit is "
                f"{MAX_SEGMENT_CHARS:,}); not spoken")
    return ""


def _segment_location(article: LocalizedArticle, segment: LocalizedSegment,
                      config: Config) -> Location:
    """Where to fix a segment: its msgstr in the PO file, else its source line."""
    if article.po_path and segment.po_line:
        return Location(article.po_path, segment.po_line)
    if segment.source.location.path:
        return segment.source.location
    return Location(config.rel(article.article.path))


def _location(article: LocalizedArticle, section: LocalizedSection, config: Config) -> Location:
    """The section's heading in the PO file (translated pages) or in the source."""
    first = section.heading or (section.segments[0] if section.segments else article.title)
    if article.po_path:
        return Location(article.po_path, first.po_line)
    if first.source.location.path:
        return first.source.location
    return Location(config.rel(article.article.path))


