"""Speech: section MP3s with real espeak-ng (marked ``speech``), plus fast fake-engine tests.

The real-engine tests use no mocks: they synthesize a few short sections in English, Spanish
(with an untranslated item and a citation, read by the English voice) and Chinese, decode the
MP3s and check durations and timings. The fake-engine tests cover the stage's own logic.
"""
from __future__ import annotations

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
                           (Role.CITATION, BlockKind.CITATIONS)):
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
    references = speech_parts(make_article("es").sections[1])
    assert references[-1] == ("Mayo Clinic. Dermatomyositis. Updated 2023.", "en", True)
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
    assert result.failures == tuple(i.message for i in reporter.issues)  # plain str too
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
