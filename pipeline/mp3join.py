"""Join MP3 files frame by frame: a whole article's audio from its sections' files, with no
second synthesis and no second encoding (encoding costs more than espeak-ng's synthesis).

Each section file is LAME VBR (libsndfile's encoder): a Xing/LAME header frame, then audio
frames. The joined file keeps every part's audio frames and gets one new header frame whose
frame count, byte count and seek table describe the whole, and whose LAME tag says how many
samples to trim: the first part's encoder delay at the start and the last part's padding at
the end, so gapless decoders (libsndfile/mpg123, browsers) play it as one. Inside, each part
keeps its own delay and padding (~50-100 ms of near-silence at each join); ``join`` returns
where each part's audio starts, exact to the sample, for the chapters.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

_BITRATES = {  # Layer III, kbit/s by bitrate index
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2
    0: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2.5
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


class NotJoinable(ValueError):
    """A part is not an MP3 file this module can join (no Xing/LAME header, another format)."""


@dataclass(frozen=True)
class Part:
    header: bytes  # the Xing/LAME frame
    frames: bytes  # the audio frames
    count: int  # number of audio frames
    samples_per_frame: int
    rate: int
    delay: int  # encoder delay, samples
    padding: int  # samples at the end


@dataclass(frozen=True)
class Joined:
    data: bytes
    starts: tuple[float, ...]  # seconds: where each part's audio starts in the joined file
    duration: float  # seconds, as a gapless decoder plays it


def _frame(data: bytes, pos: int) -> tuple[int, int, int, bool]:
    """(length, samples per frame, sample rate, mono) of the frame at ``pos``."""
    if pos + 4 > len(data) or data[pos] != 0xFF or (data[pos + 1] & 0xE0) != 0xE0:
        raise NotJoinable(f"no MPEG frame at byte {pos}")
    version, layer = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    bitrate_index, rate_index = data[pos + 2] >> 4, (data[pos + 2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        raise NotJoinable(f"not a Layer III frame at byte {pos}")
    rate = _RATES[version][rate_index]
    per_frame = 1152 if version == 3 else 576
    length = (per_frame // 8) * _BITRATES[version][bitrate_index] * 1000 // rate + (
        (data[pos + 2] >> 1) & 1)
    return length, per_frame, rate, (data[pos + 3] >> 6) == 3


def _xing_offset(version_mpeg1: bool, mono: bool) -> int:
    return 4 + ((17 if not mono else 9) if not version_mpeg1 else (32 if not mono else 17))


def read_part(data: bytes) -> Part:
    length, per_frame, rate, mono = _frame(data, 0)
    at = _xing_offset(per_frame == 1152, mono)
    if data[at:at + 4] not in (b"Xing", b"Info"):
        raise NotJoinable("no Xing/Info header frame")
    lame = at + 8 + _xing_fields(data, at)
    if data[lame:lame + 4] != b"LAME" and data[lame:lame + 4] != b"Lavc":
        raise NotJoinable("no LAME tag (encoder delay unknown)")
    packed = int.from_bytes(data[lame + 21:lame + 24], "big")
    frames, pos, count = [], length, 0
    while pos < len(data):
        size = _frame(data, pos)[0]
        frames.append(data[pos:pos + size])
        pos, count = pos + size, count + 1
    return Part(data[:length], b"".join(frames), count, per_frame, rate, packed >> 12,
                packed & 0xFFF)


def _xing_fields(data: bytes, at: int) -> int:
    """Bytes of the Xing fields after its 8-byte id and flags."""
    flags = int.from_bytes(data[at + 4:at + 8], "big")
    return 4 * bool(flags & 1) + 4 * bool(flags & 2) + 100 * bool(flags & 4) + 4 * bool(
        flags & 8)


def join(parts: list[bytes]) -> Joined:
    """The parts (untagged MP3 files of one format) as one gapless MP3 file."""
    read = [read_part(p) for p in parts]
    if not read or len({(p.rate, p.samples_per_frame, len(p.header)) for p in read}) != 1:
        raise NotJoinable("the parts differ in format")
    first, per_frame, rate = read[0], read[0].samples_per_frame, read[0].rate
    starts, position = [], 0
    for part in read:
        starts.append((position + part.delay - first.delay) / rate)
        position += part.count * per_frame
    total = sum(p.count for p in read)
    body = b"".join(p.frames for p in read)
    header = _header(first, read[-1].padding, total, body, [p.count for p in read])
    duration = (position - first.delay - read[-1].padding) / rate
    return Joined(header + body, tuple(starts), duration)


def _header(first: Part, padding: int, frames: int, body: bytes, counts: list[int]) -> bytes:
    """The first part's header frame, rewritten for the whole: frame and byte counts, the
    seek table, the music length, the end padding and the LAME tag's CRC."""
    head = bytearray(first.header)
    _, _, _, mono = _frame(bytes(head), 0)
    at = _xing_offset(first.samples_per_frame == 1152, mono)
    flags = int.from_bytes(head[at + 4:at + 8], "big")
    field = at + 8
    if flags & 1:
        head[field:field + 4] = struct.pack(">I", frames + 1)
        field += 4
    if flags & 2:
        head[field:field + 4] = struct.pack(">I", len(head) + len(body))
        field += 4
    if flags & 4:
        head[field:field + 100] = _seek_table(body, frames, len(head))
        field += 100
    if flags & 8:
        field += 4
    lame = field
    packed = (first.delay << 12) | (padding & 0xFFF)
    head[lame + 21:lame + 24] = packed.to_bytes(3, "big")
    head[lame + 28:lame + 32] = struct.pack(">I", len(head) + len(body))
    head[lame + 34:lame + 36] = struct.pack(">H", crc16(bytes(head[:lame + 34])))
    return bytes(head)


def _seek_table(body: bytes, frames: int, header_size: int) -> bytes:
    """Xing's 100-entry table: for each percent of the frames, where it starts as a
    fraction (0-255) of the file."""
    offsets, pos = [], 0
    while pos < len(body):
        offsets.append(pos)
        pos += _frame(body, pos)[0]
    total = header_size + len(body)
    table = bytearray()
    for percent in range(100):
        index = min(len(offsets) - 1, percent * frames // 100)
        table.append(min(255, (header_size + offsets[index]) * 256 // total))
    return bytes(table)


def crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005, reflected), as LAME checks its tag."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc
