"""Speech: section MP3s with real espeak-ng (marked ``speech``), plus fast fake-engine tests.

The real-engine tests use no mocks: they synthesize a few short sections in English, Spanish
(with an untranslated item and a citation, read by the English voice) and Chinese, decode the
MP3s and check durations and timings. The fake-engine tests cover the stage's own logic.
"""
from __future__ import annotations

from dataclasses import replace

import functools
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from pipeline.config import Config, load_config
from pipeline.model import (Article, Block, BlockKind, Link, LocalizedArticle, LocalizedBlock,
                            LocalizedSection, LocalizedSegment, Location, Role, Section, Segment,
                            Status)
from pipeline.report import ContentError, Reporter
from pipeline.stages.audio_plan import speech_parts
from pipeline.stages.speak import SpeakResult, speak_articles
from pipeline.tts.fake import FakeEngine
from pipeline.tts.voices import (DEFAULT_VOICES, check_voices, rate_for, speech_units,
                                 voice_for)

SOURCE = "source/sample.md"
LANGS = {"en": ("en", "ltr"), "es": ("es", "ltr"), "zh_Hans": ("zh-Hans", "ltr"),
         "tl": ("tl", "ltr")}

# section id -> [(role, English, translations by locale; a missing locale means untranslated)]
SECTIONS = {
    "self-care": [
        (Role.HEADING, "Self-care", {"es": "Cuidado personal", "zh_Hans": "自我护理",
                                      "tl": "Pangangalaga sa sarili"}),
        (Role.PARAGRAPH, "Rest when you feel tired. Drink plenty of <a1>water</a1>.",
         {"es": "Descanse cuando se sienta cansado. Beba mucha <a1>agua</a1>.",
          "zh_Hans": "感到疲倦时要休息。多喝<a1>水</a1>。", "tl": "Magpahinga kapag pagod."}),
        (Role.LIST_ITEM, "Gentle <em>stretching</em> every day",
         {"es": "Estiramientos <em>suaves</em> todos los días", "zh_Hans": "每天轻轻伸展"}),
        (Role.LIST_ITEM, "Walk for ten minutes after meals", {"zh_Hans": "饭后散步十分钟"}),
    ],
    "references": [
        (Role.HEADING, "References", {"es": "Referencias", "zh_Hans": "参考文献"}),
        (Role.CITATION, "Mayo Clinic. Dermatomyositis. Updated 2023.", {}),
    ],
}


def make_article(locale: str) -> LocalizedArticle:
    """A LocalizedArticle built straight from the model, as localize() would build it."""
    lang, direction = LANGS[locale]
    is_source = locale == "en"
    title_src = Segment("Living with myositis", Role.TITLE, Location(SOURCE, 2), "")
    sections, localized = [], []
    line = 5
    for section_id, items in SECTIONS.items():
        segs, lsegs = [], []
        for role, english, translations in items:
            line += 2
            translatable = role is not Role.CITATION
            links = (Link(1, "https://example.org/water"),) if "<a1>" in english else ()
            seg = Segment(english, role, Location(SOURCE, line), section_id, links, translatable)
            if is_source:
                lseg = LocalizedSegment(seg, english, "en", "ltr", Status.SOURCE)
            elif not translatable:
                lseg = LocalizedSegment(seg, english, "en", "ltr", Status.NOT_TRANSLATABLE)
            elif locale in translations:
                lseg = LocalizedSegment(seg, translations[locale], lang, direction,
                                        Status.TRANSLATED, po_line=line)
            else:
                lseg = LocalizedSegment(seg, english, "en", "ltr", Status.UNTRANSLATED)
            segs.append(seg)
            lsegs.append(lseg)
        heading, lheading = segs[0], lsegs[0]
        body = [(s, l) for s, l in zip(segs[1:], lsegs[1:])]
        blocks, lblocks = [], []
        for role, kind in ((Role.PARAGRAPH, BlockKind.PARAGRAPH),
                           (Role.LIST_ITEM, BlockKind.BULLETS),
                           # read aloud, unlike a reference list: an untranslatable
                           # section spoken in English inside a translated page
                           (Role.CITATION, BlockKind.NUMBERS)):
            chosen = [(s, l) for s, l in body if s.role is role]
            if chosen:
                blocks.append(Block(kind, tuple(s for s, _ in chosen)))
                lblocks.append(LocalizedBlock(kind, tuple(l for _, l in chosen)))
        sections.append(Section(section_id, heading, tuple(blocks)))
        localized.append(LocalizedSection(section_id, lheading, tuple(lblocks)))
    article = Article("sample", Path(SOURCE), "en", title_src, None, "", "", tuple(sections))
    title = LocalizedSegment(title_src, "Living with myositis" if is_source else
                             {"es": "Vivir con miositis", "zh_Hans": "与肌炎共处",
                              "tl": "Pamumuhay na may myositis"}[locale],
                             lang, direction, Status.SOURCE if is_source else Status.TRANSLATED)
    return LocalizedArticle(article, locale, lang, direction, title, None, tuple(localized),
                            "" if is_source else f"locales/{locale}/LC_MESSAGES/sample.po")


def make_config(root: Path, **audio) -> Config:
    # this article's "references" section is an ordinary one here, read aloud
    audio.setdefault("skip_sections", frozenset())
    return Config(root=root, source_language="en", locales=("es", "zh_Hans", "tl"), **audio)


def check_timings(track, duration: float) -> None:
    timings = track.timings
    assert timings and timings[0].start == 0.0
    for before, after in zip(timings, timings[1:]):
        assert before.start < before.end == pytest.approx(after.start, abs=1e-6)
    assert timings[-1].end == pytest.approx(duration, abs=0.05)


# -- real espeak-ng --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> tuple[SpeakResult, Path, Reporter]:
    out = tmp_path_factory.mktemp("output")
    config = make_config(out.parent)
    reporter = Reporter(quiet=True)
    articles = [make_article(code) for code in ("en", "es", "zh_Hans", "tl")]
    result = speak_articles(articles, config, out, jobs=2, reporter=reporter)
    return result, out, reporter


@pytest.mark.speech
def test_every_section_gets_a_decodable_mp3_of_plausible_length(spoken):
    result, out, reporter = spoken
    assert reporter.issues == [] and result.failures == ()
    assert sorted((t.locale, t.section_id) for t in result.tracks) == sorted(
        (loc, sid) for loc in ("en", "es", "zh_Hans") for sid in SECTIONS)
    for track in result.tracks:
        assert "\\" not in track.path and not track.path.startswith("/")
        path = out / track.path
        assert path.name == f"{track.section_id}.mp3"
        assert track.size == path.stat().st_size
        samples, rate = soundfile.read(path, dtype="float32")
        duration = len(samples) / rate
        assert duration == pytest.approx(track.duration, abs=0.05)
        assert np.sqrt(np.mean(samples ** 2)) > 0.01  # speech, not silence
        # Words per minute (characters for Chinese) near the configured 150.
        words = sum(speech_units(t.text) for t in track.timings)
        per_minute = words / (duration / 60)
        assert 50 <= per_minute <= 300, (track.path, per_minute)
        check_timings(track, duration)
    assert result.real_time_factor > 1
    assert not list(out.rglob("*.tmp"))


@pytest.mark.speech
def test_untranslated_text_and_citations_are_read_by_the_source_voice(spoken):
    result, _, _ = spoken
    es = {t.section_id: t for t in result.tracks if t.locale == "es"}
    voices = [(t.text, t.lang, t.voice) for t in es["self-care"].timings]
    assert voices == [
        ("Cuidado personal.", "es", "roa/es"),
        ("Descanse cuando se sienta cansado. Beba mucha agua.", "es", "roa/es"),
        ("Estiramientos suaves todos los días.", "es", "roa/es"),
        ("Walk for ten minutes after meals.", "en", "gmw/en-us"),
    ]
    assert es["self-care"].voice == "roa/es"
    citation = es["references"].timings[-1]
    assert (citation.lang, citation.voice) == ("en", "gmw/en-us")
    zh = next(t for t in result.tracks if t.locale == "zh_Hans" and t.section_id == "self-care")
    assert {t.voice for t in zh.timings} == {"sit/cmn"}


@pytest.mark.speech
def test_a_locale_without_a_voice_gets_no_audio(spoken):
    result, out, _ = spoken
    assert result.silent_locales == ("tl",)
    assert not any(t.locale == "tl" for t in result.tracks)
    assert not (out / "tl").exists()


@pytest.mark.speech
def test_default_voices_exist_in_the_bundled_espeak():
    # In a child process: initialising espeak-ng here could deadlock later forks of pytest.
    code = ("import json; from pipeline.tts.engine import EspeakEngine; "
            "print(json.dumps(sorted(EspeakEngine().voice_ids())))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    available = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {v for v in DEFAULT_VOICES.values() if v} <= available
    assert "roa/ht" in available  # Haitian Creole has its own voice, not a French one
    assert not {"tl", "fil", "so"} & {v.rsplit("/", 1)[-1] for v in available}


@pytest.mark.speech
def test_an_unknown_voice_in_the_config_is_an_error_naming_the_key(tmp_path):
    (tmp_path / "pipeline.toml").write_text(
        '[project]\nlocales = ["es", "zh_Hans", "tl"]\n\n[audio.voices]\nzh_Hans = "sit/cmn"\n'
        'es = "es-419"\n', encoding="utf-8")
    config = load_config(tmp_path)
    with pytest.raises(ContentError) as caught:
        speak_articles([make_article("es")], config, tmp_path / "output", 1,
                       Reporter(quiet=True))
    issue = caught.value.issue
    assert issue.code == "config-key"
    assert issue.message.startswith("audio.voices.es: unknown voice 'es-419'")
    assert "roa/es-419" in issue.message  # the suggestion
    assert str(issue.location) == "pipeline.toml:6"
    assert not (tmp_path / "output").exists()


# -- fake engine: the stage's logic, fast ----------------------------------------------------

class EmptyEngine(FakeEngine):
    """Returns no samples and logs every call to a file (workers are separate processes)."""

    def __init__(self, log: str) -> None:
        super().__init__()
        self.log = log

    def synthesize(self, text, voice, rate):
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
        return np.zeros(0, dtype=np.int16), 22050


class FlakyEngine(FakeEngine):
    """Silent on the first try of every text, fine on the retry."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def synthesize(self, text, voice, rate):
        samples, sr = super().synthesize(text, voice, rate)
        if text not in self.seen:
            self.seen.add(text)
            return np.zeros_like(samples), sr
        return samples, sr


def test_speech_parts_read_the_page_in_order():
    section = make_article("es").sections[0]
    assert speech_parts(section) == [
        ("Cuidado personal.", "es", False),
        ("Descanse cuando se sienta cansado. Beba mucha agua.", "es", False),
        ("Estiramientos suaves todos los días.", "es", False),
        ("Walk for ten minutes after meals.", "en", True),
    ]
    references = speech_parts(make_article("es").sections[1], frozenset())
    assert references[-1] == ("Mayo Clinic. Dermatomyositis. Updated 2023.", "en", True)
    assert speech_parts(make_article("es").sections[1]) == []  # its id is skipped by default
    # a reference list is not read; a section that is only a heading over one has no audio
    section = replace(make_article("es").sections[1], id="sources")
    listed = replace(section, blocks=tuple(replace(b, kind=BlockKind.CITATIONS)
                                           for b in section.blocks))
    assert speech_parts(listed) == []
    mixed = replace(listed, blocks=make_article("es").sections[0].blocks[:1] + listed.blocks)
    assert [p.text for p in speech_parts(mixed)] == [
        "Referencias.", "Descanse cuando se sienta cansado. Beba mucha agua."]
    alt = LocalizedSegment(Segment("A knee brace", Role.IMAGE_ALT, Location(SOURCE, 9), "x"),
                           "Una rodillera", "es", "ltr", Status.TRANSLATED)
    figure = LocalizedSection("x", None, (LocalizedBlock(BlockKind.FIGURE, (), "knee.png", alt),))
    assert speech_parts(figure) == [("Una rodillera.", "es", False)]


def test_voice_and_rate_choice(tmp_path):
    config = make_config(tmp_path)
    assert voice_for("es", config) == "roa/es"
    assert voice_for("es_MX", config) == "roa/es"  # a region falls back to its language
    assert voice_for("zh_Hans", config) == "sit/cmn"
    assert voice_for("zh_Hant", config) is None  # a script does not (could be Cantonese)
    assert voice_for("ht", config) == "roa/ht"
    assert voice_for("tl", config) is None and voice_for("so", config) is None
    assert voice_for("en@pseudo", config) is None
    assert rate_for("es", config) == 150
    custom = make_config(tmp_path, voices={"es": "roa/es-419", "zh_Hans": ""}, rates={"es": 130})
    assert voice_for("es", custom) == "roa/es-419" and voice_for("zh_Hans", custom) is None
    assert rate_for("es", custom) == 130
    check_voices(custom, {"roa/es-419"})
    with pytest.raises(ContentError, match=r"audio\.voices\.es: unknown voice 'roa/xx'"):
        check_voices(make_config(tmp_path, voices={"es": "roa/xx"}), {"roa/es"})


def test_fake_engine_build(tmp_path):
    reporter = Reporter(quiet=True)
    articles = [make_article(code) for code in ("en", "es", "tl")]
    result = speak_articles(articles, make_config(tmp_path), tmp_path / "out", 2, reporter,
                            engine_factory=FakeEngine)
    assert reporter.issues == [] and result.silent_locales == ("tl",)
    assert [t.path for t in result.tracks] == [
        "en/audio/sample/self-care.mp3", "en/audio/sample/references.mp3",
        "es/audio/sample/self-care.mp3", "es/audio/sample/references.mp3"]
    for track in result.tracks:
        info = soundfile.info(tmp_path / "out" / track.path)
        check_timings(track, info.frames / info.samplerate)
    es = result.tracks[2]
    assert [t.voice for t in es.timings] == ["roa/es"] * 3 + ["gmw/en-us"]
    assert result.audio_seconds == pytest.approx(sum(t.duration for t in result.tracks))


def test_empty_audio_is_retried_once_then_reported(tmp_path):
    log = tmp_path / "calls.txt"
    reporter = Reporter(quiet=True)
    result = speak_articles([make_article("es")], make_config(tmp_path), tmp_path / "out", 1,
                            reporter, engine_factory=functools.partial(EmptyEngine, str(log)))
    assert result.tracks == ()
    assert len(result.failures) == 2 and reporter.errors == 2
    issue = reporter.issues[0]
    assert issue.code == "audio-failed"
    assert re.match(r"audio for sample \[es\] section '(self-care|references)' failed: "
                    r"empty audio .*after 2 attempts", issue.message)
    assert issue.location.path == "locales/es/LC_MESSAGES/sample.po"
    assert tuple(f.message for f in result.failures) == tuple(i.message for i in reporter.issues)
    assert {(f.slug, f.locale) for f in result.failures} == {("sample", "es")}
    # Each section stops at its first part, which was tried exactly twice.
    assert sorted(log.read_text(encoding="utf-8").splitlines()) == sorted(
        ["Cuidado personal."] * 2 + ["Referencias."] * 2)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.mp3"))


def test_a_retry_that_succeeds_is_not_an_error(tmp_path):
    reporter = Reporter(quiet=True)
    result = speak_articles([make_article("es")], make_config(tmp_path), tmp_path / "out", 1,
                            reporter, engine_factory=FlakyEngine)
    assert reporter.issues == [] and len(result.tracks) == 2


class BrokenEngine(FakeEngine):
    def __init__(self) -> None:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")


def test_a_missing_engine_is_one_error_and_pages_build_without_audio(tmp_path):
    reporter = Reporter(quiet=True)
    result = speak_articles([make_article("es")], make_config(tmp_path), tmp_path / "out", 2,
                            reporter, engine_factory=BrokenEngine)
    assert result.tracks == ()
    assert [(f.slug, f.locale, f.section_id) for f in result.failures] == [
        ("sample", "es", "self-care"), ("sample", "es", "references")]
    assert [i.code for i in reporter.issues] == ["audio-failed"]  # said once, not per section
    assert "speech engine unavailable" in reporter.issues[0].message
    assert "libespeak-ng.so.1" in reporter.issues[0].message


@pytest.mark.parametrize("name", ["espeakng-loader", "pyttsx3", "soundfile", "polib"])
def test_installed_versions_come_from_dist_info_names_as_from_the_metadata(name):
    from importlib.metadata import version

    from pipeline.stages.speak import _installed_version

    assert _installed_version(name) == version(name)
    assert _installed_version("no-such-distribution-here") is None


# -- same input, same audio bytes ------------------------------------------------------------

_SPEAK_IN_ORDER = """
import hashlib, json, sys
from pipeline.tts.engine import EspeakEngine
engine = EspeakEngine()
out = []
for text, voice, rate in json.loads(sys.argv[1]):
    samples, _ = engine.synthesize(text, voice, rate)
    out.append(hashlib.sha256(samples.tobytes()).hexdigest())
print(json.dumps(out))
"""


def _speak_in_one_process(items):
    done = subprocess.run([sys.executable, "-c", _SPEAK_IN_ORDER, json.dumps(items)],
                          capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.speech
def test_the_same_text_gives_the_same_samples_whatever_was_spoken_before():
    """libespeak-ng carries pitch-flutter and glottal-cycle counters from one utterance to the
    next (pipeline/tts/espeak_state.py); without the reset 9 of these 10 differ."""
    dose = ["Take 12 mg of prednisone every morning.", "gmw/en-us", 150]
    others = [["Rest when you feel tired.", "gmw/en-us", 150],
              ["Tome 12 mg de prednisona cada mañana.", "roa/es", 140],
              ["Gọi bác sĩ nếu bạn bị sốt.", "aav/vi", 150],
              ["Drink plenty of water.", "gmw/en-us", 175]]
    sequence = [dose]
    for other in others * 2 + others[:1]:
        sequence += [other, dose]
    hashes = _speak_in_one_process(sequence)
    first_alone = _speak_in_one_process([dose])[0]
    assert {hashes[i] for i in range(0, len(sequence), 2)} == {first_alone}
    # and the others, spoken alone in fresh processes, match their runs in the sequence
    assert _speak_in_one_process([others[2]])[0] == hashes[5]


@pytest.mark.speech
def test_two_clean_real_builds_in_different_orders_give_identical_output(tmp_path):
    """Sections spread over one worker, then over two after another locale was built first:
    every MP3 and the manifest are byte-identical."""
    import shutil

    from sitekit import REPO, build_site

    def fresh(name):
        root = tmp_path / name
        shutil.copytree(REPO / "tests" / "projects" / "site", root)
        return root

    one = fresh("one")
    build_site(one, "-j", "1")
    two = fresh("two")
    build_site(two, "-l", "ar", "-j", "2")
    build_site(two, "-j", "2")
    files_one = sorted(p.relative_to(one / "output") for p in (one / "output").rglob("*")
                       if p.is_file())
    files_two = sorted(p.relative_to(two / "output") for p in (two / "output").rglob("*")
                       if p.is_file())
    assert files_one == files_two
    mp3s = [p for p in files_one if p.suffix == ".mp3"]
    assert len(mp3s) >= 6
    differing = [str(p) for p in files_one
                 if (one / "output" / p).read_bytes() != (two / "output" / p).read_bytes()]
    assert differing == []


# -- bounded speech: sentences, limits, crashes, time limits ---------------------------------

def test_sentences_split_at_their_ends_but_not_after_abbreviations():
    from pipeline.speech_text import sentence_texts as split_sentences
    from pipeline.tts.sentences import pieces

    assert split_sentences("See Dr. Smith on Jan. 5. Take 2.5 mg, e.g. with food. Rest! "
                           "Is it ok? Yes.", "en") == [
        "See Dr. Smith on Jan. 5.", "Take 2.5 mg, e.g. with food.", "Rest!", "Is it ok?",
        "Yes."]
    assert split_sentences("El Dr. García y la Sra. López: «Tome 2 mg». ¿Le duele? ¡Llame!",
                           "es") == ["El Dr. García y la Sra. López: «Tome 2 mg».",
                                     "¿Le duele?", "¡Llame!"]
    assert split_sentences("感到疲倦时要休息。多喝水。", "zh-Hans") == ["感到疲倦时要休息。", "多喝水。"]
    assert split_sentences("هل تشعر بالتعب؟ اشرب الماء.", "ar") == ["هل تشعر بالتعب؟",
                                                                    "اشرب الماء."]
    assert split_sentences("Call 1-800-821-2285 or visit www.myositis.org for help.", "en") == [
        "Call 1-800-821-2285 or visit www.myositis.org for help."]
    assert split_sentences('J. Smith said "rest." Then approx. three days. — .', "en") == [
        'J. Smith said "rest."', "Then approx. three days. — ."]
    long = "word, " * 300
    assert all(len(p) <= 600 for p in pieces(long)) and " ".join(pieces(long)) == long.strip()
    assert [len(p) for p in pieces("x" * 1500)] == [600, 600, 300]


def test_audio_checks_do_not_guess_durations_but_catch_silence_and_cut_off_speech():
    from pipeline.audio import audio_problem
    from pipeline.tts.fake import FakeEngine

    phone = "Call 1-800-821-2285 or visit www.myositis.org for help."
    samples, rate = FakeEngine().synthesize(phone, "gmw/en-us", 150)
    assert audio_problem(samples, rate, phone) == ""
    # ten times longer than the words suggest is no reason to refuse it
    assert audio_problem(np.concatenate([samples] * 10), rate, phone) == ""
    assert audio_problem(samples[: len(samples) // 2], rate, phone).startswith("truncated")
    assert audio_problem(np.zeros(rate, dtype=np.float32), rate, phone).startswith("silent")
    assert audio_problem(np.zeros(rate, dtype=np.float32), rate, "—.") == ""
    assert audio_problem(np.zeros(0, dtype=np.float32), rate, phone) == "empty audio"


class LoggingEngine(FakeEngine):
    """Logs every text it is given to a file (workers are separate processes); a text with
    CRASH kills the process as a segfault would, one with HANG never returns."""

    def __init__(self, log: str) -> None:
        super().__init__()
        self.log = log

    def synthesize(self, text, voice, rate):
        import os
        import signal
        import time

        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {len(text)} {text[:30]}\n")
        if "CRASH" in text:
            os.kill(os.getpid(), signal.SIGSEGV)
        if "HANG" in text:
            time.sleep(3600)
        return super().synthesize(text, voice, rate)


def _with_paragraph(monkeypatch, spanish: str) -> LocalizedArticle:
    """The Spanish sample article with another translation of the self-care paragraph
    (po line 9)."""
    items = list(SECTIONS["self-care"])
    role, english, translations = items[1]
    items[1] = (role, english, {**translations, "es": spanish})
    monkeypatch.setitem(SECTIONS, "self-care", items)
    return make_article("es")


def _speak_logged(tmp_path, article, jobs=1, **options):
    tmp_path.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "engine.log"
    reporter = Reporter(quiet=True)
    result = speak_articles([article], make_config(tmp_path), tmp_path / "out", jobs, reporter,
                            engine_factory=functools.partial(LoggingEngine, str(log)),
                            **options)
    return result, reporter, log.read_text(encoding="utf-8") if log.exists() else ""


def test_a_translation_far_longer_than_its_source_fails_its_section_alone_at_its_line(
        tmp_path, monkeypatch):
    """An 80 KB msgstr for a one-sentence source (spoken as 92 minutes before) never
    reaches the voice: its section fails at the msgstr's line, the others are spoken."""
    article = _with_paragraph(monkeypatch, "Descanse cuando se sienta cansado. " * 2300)
    result, reporter, log = _speak_logged(tmp_path, article)
    assert [(f.section_id) for f in result.failures] == ["self-care"]
    assert [t.section_id for t in result.tracks] == ["references"]
    [issue] = reporter.issues
    assert (issue.code, str(issue.location)) == ("audio-failed",
                                                 "locales/es/LC_MESSAGES/sample.po:9")
    assert "sample [es] section 'self-care'" in issue.message
    assert "times its source" in issue.message and "not spoken" in issue.message
    assert "Descanse" not in log  # nothing of that section was synthesized
    assert result.cached == 0 and result.synthesized == 1
    # 315 characters for a 48-character source are within bounds (3 x 48 + 200); 420 not
    article = _with_paragraph(monkeypatch, "Descanse cuando se sienta cansado. " * 9)
    assert _speak_logged(tmp_path / "ok", article)[0].failures == ()
    article = _with_paragraph(monkeypatch, "Descanse cuando se sienta cansado. " * 12)
    assert _speak_logged(tmp_path / "long", article)[0].failures


def test_a_source_segment_over_the_absolute_limit_fails_at_its_source_line(tmp_path,
                                                                           monkeypatch):
    items = list(SECTIONS["self-care"])
    items[1] = (items[1][0], "Rest when you feel tired. " * 320, {})
    monkeypatch.setitem(SECTIONS, "self-care", items)
    result, reporter, log = _speak_logged(tmp_path, make_article("en"))
    [issue] = reporter.issues
    assert str(issue.location) == "source/sample.md:9"
    assert "8,319 characters is too long to speak (the limit is 8,000)" in issue.message
    assert "Rest when" not in log and [t.section_id for t in result.tracks] == ["references"]


def test_no_text_over_the_piece_limit_reaches_the_voice(tmp_path, monkeypatch):
    """A long but legitimate paragraph (no sentence end in 1,500 characters) is spoken in
    pieces of at most 600 characters, each checked, and its sentences keep their bounds."""
    source = make_article("en")
    text = ("Drink water, " * 115).strip() + "."
    items = list(SECTIONS["self-care"])
    items[1] = (items[1][0], text, {})
    monkeypatch.setitem(SECTIONS, "self-care", items)
    result, reporter, log = _speak_logged(tmp_path, make_article("en"))
    assert reporter.issues == [] and len(result.tracks) == 2
    lengths = [int(line.split()[1]) for line in log.splitlines()]
    assert max(lengths) <= 600 and sum(1 for n in lengths if n > 300) == 2
    assert source.slug == "sample"


def test_each_sentence_has_its_bounds_in_the_cached_audio(tmp_path):
    result, reporter, _ = _speak_logged(tmp_path, make_article("es"))
    assert reporter.issues == []
    meta = [json.loads(p.read_text()) for p in (tmp_path / ".pipeline-cache").rglob("*.json")]
    self_care = next(m for m in meta if m["timings"][0][0] == "Cuidado personal.")
    sentences = [s for s in self_care["sentences"] if s[0] == 1]
    assert [s[1] for s in sentences] == ["Descanse cuando se sienta cansado.",
                                         "Beba mucha agua."]
    paragraph = self_care["timings"][1]
    assert sentences[0][2] == paragraph[3] and sentences[0][3] == sentences[1][2]
    assert sentences[1][3] < paragraph[4]  # the gap after it belongs to the paragraph only


def test_a_worker_that_crashes_fails_only_its_section(tmp_path, monkeypatch):
    """A segfault used to break the pool and fail every section of every article."""
    article = _with_paragraph(monkeypatch, "Descanse. CRASH aquí. Beba agua.")
    result, reporter, log = _speak_logged(tmp_path, article, jobs=1)
    assert [t.section_id for t in result.tracks] == ["references"]
    [issue] = reporter.issues
    assert str(issue.location) == "locales/es/LC_MESSAGES/sample.po:9"
    assert "crashed (SIGSEGV) 2 times" in issue.message
    assert len({line.split()[0] for line in log.splitlines()}) >= 2  # a new worker went on


def test_a_section_over_its_time_limit_is_stopped_and_fails_alone(tmp_path, monkeypatch):
    import time

    import pipeline.stages.audio_plan as audio_plan

    monkeypatch.setattr(audio_plan, "JOB_SECONDS", 2.0)
    monkeypatch.setattr(audio_plan, "SECONDS_PER_CHAR", 0.0)
    article = _with_paragraph(monkeypatch, "Descanse. HANG aquí.")
    started = time.monotonic()
    result, reporter, _ = _speak_logged(tmp_path, article, jobs=2)
    assert time.monotonic() - started < 30
    assert [t.section_id for t in result.tracks] == ["references"]
    [issue] = reporter.issues
    assert str(issue.location) == "locales/es/LC_MESSAGES/sample.po:9"
    assert "took longer than 2 s" in issue.message


class SometimesEmptyEngine(FakeEngine):
    """The fake engine, but returns no audio while PIPELINE_TEST_NO_AUDIO is set (one
    engine identity, so the audio cache's keys stay the same)."""

    def synthesize(self, text, voice, rate):
        import os

        samples, sr = super().synthesize(text, voice, rate)
        return (samples[:0] if os.environ.get("PIPELINE_TEST_NO_AUDIO") else samples), sr


def test_audio_made_before_from_the_same_text_is_kept_when_speaking_it_again_fails(
        tmp_path, monkeypatch):
    """--force speaks everything again; a section whose new audio fails keeps the audio
    made from the same inputs (from the audio cache), with a warning, not a missing player;
    a section whose text changed and fails has no audio (its old file says other words)."""
    first = speak_articles([make_article("es")], make_config(tmp_path), tmp_path / "out", 1,
                           Reporter(quiet=True), engine_factory=SometimesEmptyEngine)
    before = {t.path: (tmp_path / "out" / t.path).read_bytes() for t in first.tracks}
    monkeypatch.setenv("PIPELINE_TEST_NO_AUDIO", "1")
    reporter = Reporter(quiet=True)
    again = speak_articles([make_article("es")], make_config(tmp_path), tmp_path / "out", 1,
                           reporter, engine_factory=SometimesEmptyEngine, use_cache=False)
    assert again.failures == () and reporter.errors == 0 and reporter.warnings == 2
    assert all("is kept" in issue.message for issue in reporter.issues)
    assert {t.path: (tmp_path / "out" / t.path).read_bytes() for t in again.tracks} == before
    reporter = Reporter(quiet=True)
    changed = _with_paragraph(monkeypatch, "Descanse mucho.")
    third = speak_articles([changed], make_config(tmp_path), tmp_path / "out", 1, reporter,
                           engine_factory=SometimesEmptyEngine, use_cache=False)
    assert [f.section_id for f in third.failures] == ["self-care"]
    assert [t.section_id for t in third.tracks] == ["references"]
    assert (reporter.errors, reporter.warnings) == (1, 1)


@pytest.mark.speech
def test_a_phone_number_and_a_web_address_are_spoken_without_complaint(tmp_path, monkeypatch):
    """The old duration check (words per minute) called this sentence's 10.73 s of correct
    speech implausible, on every build."""
    items = list(SECTIONS["self-care"])
    items[1] = (items[1][0], "Call 1-800-821-2285 or visit www.myositis.org for help. "
                             "Dr. Lee answers on Jan. 5.", {})
    monkeypatch.setitem(SECTIONS, "self-care", items)
    reporter = Reporter(quiet=True)
    result = speak_articles([make_article("en")], make_config(tmp_path), tmp_path / "out", 1,
                            reporter)
    assert reporter.issues == [] and len(result.tracks) == 2
    paragraph = result.tracks[0].timings[1]
    assert paragraph.end - paragraph.start > 8  # digit by digit, letter by letter
