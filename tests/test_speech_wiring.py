"""The speech text in the build (issue 14): what the voice gets is the speech text, it is the
audio's content address, and each section's transcript (WebVTT) says what was spoken.

Builds run in-process with the fake speaker (tests/test_incremental.py's helpers), which
makes audio whose length follows the text, so sentence cues have real, ordered timings.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lxml import html

from pipeline.webvtt import Cue, cue_time, webvtt
from tests.test_incremental import root, run, set_msgstr  # noqa: F401  (root: a fixture)

SPEECH_PO = """msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgctxt "unit"
msgid "ml"
msgid_plural "ml"
msgstr[0] "{one}"
msgstr[1] "{many}"
"""


def write_lexicon(root: Path, one: str, many: str) -> None:
    path = root / "locales" / "es" / "speech.po"
    path.write_text(SPEECH_PO.replace("{one}", one).replace("{many}", many), encoding="utf-8")


def cues(path: Path) -> list[tuple[str, str, str, str]]:
    """(id, start, end, text) of each cue of a WebVTT file."""
    return re.findall(r"^(\S+)\n(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)$",
                      path.read_text(encoding="utf-8"), re.M)


def test_the_voice_gets_the_speech_text_and_the_transcript_says_it(root):
    run(root)
    vtt = root / "output/es/audio/hydration/why-water.vtt"
    said = [text for _, _, _, text in cues(vtt)]
    assert "Llene su botella hasta 500 mililitros y vuelva a llenarla dos veces." in said
    starts = [cue_time_seconds(start) for _, start, _, _ in cues(vtt)]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    ids = [ident for ident, _, _, _ in cues(vtt)]
    assert ids == [f"s-why-water-{n}" for n in range(1, len(ids) + 1)]
    # the page shows what the author wrote; the transcript is linked beside the player
    page = html.fromstring((root / "output/es/hydration.html").read_bytes())
    assert page.xpath("//code[.='500 ml']")
    link = page.xpath("//a[@href='audio/hydration/why-water.vtt']")
    assert link and link[0].get("hreflang") == "es" and link[0].get("type") == "text/vtt"
    assert "(WebVTT)" in link[0].text_content()  # this fixture's _site.po predates it
    manifest = json.loads((root / "output/manifest.json").read_text(encoding="utf-8"))
    listed = {a["path"]: a["transcript"] for a in manifest["audio"]}
    assert listed["es/audio/hydration/why-water.mp3"] == "es/audio/hydration/why-water.vtt"
    assert all((root / "output" / t).is_file() for t in listed.values())


def cue_time_seconds(text: str) -> float:
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_editing_one_lexicon_entry_respeaks_exactly_the_sections_that_say_it(root):
    """The Spanish "500 ml" is in one section: a new spoken form for "ml" re-speaks that
    section alone; English and Arabic, and every other Spanish section, are untouched."""
    run(root)
    mp3s = {p: p.read_bytes() for p in (root / "output").rglob("*.mp3")}
    write_lexicon(root, "mililitro de agua", "mililitros de agua")
    again = run(root)
    assert again["sections_synthesized"] == 1
    changed = [p.relative_to(root / "output").as_posix()
               for p, data in mp3s.items() if p.read_bytes() != data]
    # that section, and the whole article's file it is part of
    assert sorted(changed) == ["es/audio/hydration.mp3", "es/audio/hydration/why-water.mp3"]
    vtt = (root / "output/es/audio/hydration/why-water.vtt").read_text(encoding="utf-8")
    assert "500 mililitros de agua" in vtt
    # an entry no text uses changes no audio
    path = root / "locales" / "es" / "speech.po"
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgctxt "acronym"\nmsgid "XYZ"\n'
                    'msgstr "equis i zeta"\n', encoding="utf-8")
    assert run(root)["sections_synthesized"] == 0


def test_a_broken_lexicon_speaks_the_raw_text_and_the_other_locales_keep_theirs(root):
    run(root)
    (root / "locales/es/speech.po").write_text('msgid "ml"\nmsgstr "unterminated\n',
                                               encoding="utf-8")
    again = run_allowing_errors(root)
    vtt = (root / "output/es/audio/hydration/why-water.vtt").read_text(encoding="utf-8")
    assert "hasta 500 ml y" in vtt  # raw text: better unexpanded than expanded wrongly
    assert "locales/es/speech.po:2" in again


def run_allowing_errors(root: Path) -> str:
    import io

    from pipeline.build import BuildOptions, build
    from pipeline.config import load_config
    from pipeline.report import Reporter
    from pipeline.tts.fake import FakeEngine

    log = io.StringIO()
    build(load_config(root), Reporter(stream=log, quiet=False),
          BuildOptions(engine_factory=FakeEngine, jobs=1))
    return log.getvalue()


def test_a_translation_cannot_put_markup_or_a_cue_break_into_the_transcript(root):
    run(root)
    po = root / "locales/es/LC_MESSAGES/hydration.po"
    set_msgstr(po, "Dark urine", "La orina oscura --> <script>alert(1)</script> & "
               "<b>mareos</b>\n\nWEBVTT")
    run_allowing_errors(root)
    vtt = root / "output/es/audio/hydration/signs.vtt"
    text = vtt.read_text(encoding="utf-8")
    assert "<script" not in text and "<b>" not in text and "\n\nWEBVTT" not in text
    assert all("-->" not in payload for _, _, _, payload in cues(vtt))


def test_webvtt_serializer():
    assert cue_time(3725.5) == "01:02:05.500"
    out = webvtt([Cue("s-1", 0, 1.25, "a < b & c --> d\n\ne"), Cue("", 2, 1, "")], "es")
    assert out == ("WEBVTT - es\n\ns-1\n00:00:00.000 --> 00:00:01.250\n"
                   "a &lt; b &amp; c --&gt; d e\n\n00:00:02.000 --> 00:00:02.000\n…\n")


def test_a_relative_project_root_builds_into_output(root, monkeypatch):
    """``pipeline build`` run inside the project (no -C) wrote everything to output/output."""
    monkeypatch.chdir(root)
    from pipeline.build import BuildOptions, build
    from pipeline.config import load_config
    from pipeline.report import Reporter
    from pipeline.tts.fake import FakeEngine

    build(load_config(Path(".")), Reporter(quiet=True), BuildOptions(engine_factory=FakeEngine,
                                                                     jobs=1))
    assert (root / "output/es/hydration.html").is_file()
    assert (root / "output/es/audio/hydration/why-water.mp3").is_file()
    assert not (root / "output/output").exists()


@pytest.mark.speech
def test_each_sentence_cue_starts_at_the_silence_before_its_words(tmp_path):
    """Real espeak-ng and the real encoder: decoded, every section is at even loudness, and
    the audio is silent from 50 to 15 ms before each cue's start and voiced within 100 ms after it (espeak starts a sentence with up to
    ~55 ms of its own lead-in); the manifest lists the same cues with the page's ids."""
    import numpy as np
    import soundfile

    from tests.sitekit import build_site

    project = tmp_path / "site"
    shutil.copytree(Path(__file__).parent / "projects" / "site", project)
    output = build_site(project)
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    checked, levels = 0, []
    for entry in manifest["audio"]:
        samples, rate = soundfile.read(output / entry["path"], dtype="float32")
        levels.append(even_level(samples, rate))
        page = html.fromstring((output / entry["path"].split("/audio/")[0] /
                                f"{entry['slug']}.html").read_bytes())
        assert [c for c, *_ in cues(output / entry["transcript"])] == [
            s["id"] for s in entry["sentences"]]
        for sentence in entry["sentences"]:
            start = int(round(sentence["start"] * rate))
            # to 15 ms before: an attack straight after digital silence smears up to ~10 ms
            # earlier in MP3 (pre-echo; measured on an Arabic sentence espeak starts at once)
            before = samples[max(0, start - int(0.05 * rate)):max(0, start - int(0.015 * rate))]
            after = samples[start:start + int(0.1 * rate)]
            # -40 dBFS RMS before (a sentence's tail may still ring faintly); a voice's peak
            # after (measured: 0.045 for a sentence that starts with a fricative, >0.13 else)
            assert before.size == 0 or np.sqrt(np.mean(before ** 2)) < 0.01, (
                entry["path"], sentence)
            assert np.abs(after).max() > 0.03, (entry["path"], sentence)
            checked += 1
        shown = {e.get("id") for e in page.xpath("//span[@class='s'][@id]")}
        # every cue but an image description's has its sentence on the page
        assert len({s["id"] for s in entry["sentences"]} - shown) <= 1
    assert checked > 30
    # every section of every language at -16 LUFS (+-0.6) with true peaks under -1 dBTP
    assert all(abs(lufs + 16) <= 0.6 and peak <= -1.0 for lufs, peak in levels), levels


def even_level(samples, rate) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) of decoded audio, by pyloudnorm and a
    4x oversampled peak: the reference tools, not the pipeline's own measurement."""
    import numpy as np
    pyloudnorm = pytest.importorskip("pyloudnorm")
    from scipy.signal import resample_poly

    lufs = pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))
    return lufs, 20 * np.log10(np.abs(resample_poly(samples, 4, 1)).max())


def test_skip_sections_says_what_is_not_read_aloud(root, run_cli):
    """By default reference lists are not read (and the page says so); [audio] skip_sections
    = [] reads them, and a listed section id is left out."""
    run(root)
    audio = root / "output/es/audio/hydration"
    assert not (audio / "references.mp3").exists()
    assert "no se leen en voz alta" in (root / "output/es/hydration.html").read_text("utf-8") \
        or "not read aloud" in (root / "output/es/hydration.html").read_text("utf-8")
    config = root / "pipeline.toml"
    base = config.read_text(encoding="utf-8")
    config.write_text(base + '\n[audio]\nskip_sections = ["signs"]\n', encoding="utf-8")
    run(root)
    assert (audio / "references.mp3").is_file() and not (audio / "signs.mp3").exists()
    page = (root / "output/es/hydration.html").read_text("utf-8")
    assert "audio/hydration/references.mp3" in page and "not read aloud" not in page
    config.write_text(base + '\n[audio]\nskip_sections = "references"\n', encoding="utf-8")
    code, out, err = run_cli(root, "build", "--no-audio")
    assert code == 1 and "audio.skip_sections" in out + err
