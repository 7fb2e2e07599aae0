"""The whole article as one MP3 (outputs/article_audio.py, mp3join.py): the sections' frames
joined without re-encoding, with ID3 chapters; made again only when a section changes."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile
from mutagen.id3 import ID3

from pipeline import mp3join
from tests.test_incremental import root, run, set_msgstr  # noqa: F401  (root: a fixture)


def decoded(data: bytes) -> np.ndarray:
    return soundfile.read(io.BytesIO(data), dtype="float32")[0]


def test_each_section_is_heard_unchanged_at_its_chapter(root):
    run(root)
    output = root / "output"
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    wholes = {a["path"]: a for a in manifest["article_audio"]}
    assert sorted(wholes) == ["ar/audio/hydration.mp3", "en/audio/hydration.mp3",
                              "es/audio/hydration.mp3"]
    entry = wholes["es/audio/hydration.mp3"]
    joined = decoded((output / entry["path"]).read_bytes())
    rate = 22050
    tracks = {a["section"]: a for a in manifest["audio"] if a["locale"] == "es"}
    assert [c["section"] for c in entry["chapters"]] == list(tracks)
    for chapter in entry["chapters"]:
        part = decoded((output / tracks[chapter["section"]]["path"]).read_bytes())
        near = int(round(chapter["start"] * rate))  # the manifest rounds to the millisecond
        # the same frames: the same samples (but for the decoder's last-bit rounding), at
        # the chapter's start
        assert any(np.allclose(joined[start:start + len(part)], part, atol=1e-5)
                   for start in range(max(0, near - 12), near + 13)), chapter
    tags = ID3(output / entry["path"])
    toc = tags.getall("CTOC")[0]
    chapters = [tags[f"CHAP:{ident}"] for ident in toc.child_element_ids]
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [
        "Mantenerse hidratado", "Por qué importa el agua", "Señales de deshidratación"]
    assert [c.start_time for c in chapters] == [round(c["start"] * 1000)
                                                 for c in entry["chapters"]]
    assert abs(len(joined) / rate - entry["duration"]) < 0.05


def test_an_edit_remakes_one_section_and_that_locales_article_file_only(root):
    run(root)
    files = {p: p.stat().st_mtime_ns for p in (root / "output").glob("*/audio/*.mp3")}
    set_msgstr(root / "locales/es/LC_MESSAGES/hydration.po", "Dark urine",
               "La orina oscura indica que necesita beber más agua.")
    again = run(root)
    assert again["sections_synthesized"] == 1
    changed = sorted(p.relative_to(root / "output").as_posix()
                     for p, stamp in files.items() if p.stat().st_mtime_ns != stamp)
    assert changed == ["es/audio/hydration.mp3"]


def test_join_refuses_what_it_cannot_join():
    with pytest.raises(mp3join.NotJoinable):
        mp3join.join([b"RIFF....WAVEfmt "])
    with pytest.raises(mp3join.NotJoinable):
        mp3join.join([])


def test_the_lame_tag_checksum_is_lames():
    # CRC-16/ARC check value (the standard "123456789" test vector)
    assert mp3join.crc16(b"123456789") == 0xBB3D
