"""Put libespeak-ng's run-on synthesis state back to a fresh process's values before each
utterance, so that a section's samples depend only on its own text, voice and rate.

Measured (espeak-ng 1.52 from the espeakng-loader 0.2.4 wheel): the same text spoken twice in
one process gave different samples 91 times in 92 (lengths off by up to ~20 samples), in a
sequence that repeated in every fresh process, so a section's MP3 depended on what its worker
had spoken before. The cause is two statics in ``wavegen.c`` that no API call resets (not
``espeak_ng_SetRandSeed``, not setting the voice again, not ``espeak_Terminate`` +
``espeak_Initialize``): ``Flutter_ix`` (the pitch-flutter table index, which moves where cycles
end) and ``cycle_count`` (the glottal-cycle counter whose phase picks the cycles that roughness
attenuates). ``agc`` (gain cut after clipping) carries over the same way. With the three reset
and a fixed noise seed, 0 of 92 differed from a fresh process's first synthesis, in 12 orders,
for 7 voices and 4 rates; the reset costs about 0.5 us per utterance.

The statics are not exported, but the wheel's library keeps its full ELF symbol table: their
addresses are read from it once (pure Python, ~2 ms). A stripped or rebuilt library fails
loudly here rather than giving audio that changes from build to build.
"""
from __future__ import annotations

import ctypes
import struct

# symbol (GCC appends ".NNNN" to function statics) -> the value espeak_Initialize leaves
_FRESH = {
    "Flutter_ix": 0,  # wavegen.c AdvanceParameters(): pitch-flutter table index, never reset
    "cycle_count": 0,  # wavegen.c Wavegen(): glottal-cycle counter, phase of roughness
    "agc": 256,  # wavegen.c Wavegen(): gain cut after clipping, recovers only while voiced
}


def _elf_symbols(path: str) -> dict[str, set[int]]:
    """Every named symbol's values in an ELF64 little-endian file (.symtab and .dynsym)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x7fELF\x02\x01":
        raise RuntimeError(f"{path}: not an ELF64 little-endian library")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    symbols: dict[str, set[int]] = {}
    for _name, sh_type, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if sh_type not in (2, 11) or not entsize:  # SHT_SYMTAB, SHT_DYNSYM
            continue
        strtab = sections[link][4]
        for pos in range(offset, offset + size, entsize):
            st_name, _, _, _, st_value, _ = struct.unpack_from("<IBBHQQ", data, pos)
            if st_value:
                end = data.index(b"\0", strtab + st_name)
                symbols.setdefault(data[strtab + st_name:end].decode(), set()).add(st_value)
    return symbols


class EspeakStateReset:
    """``reset()`` before each utterance, while espeak's synthesis thread is idle."""

    def __init__(self, dll: ctypes.CDLL, path: str):
        symbols = _elf_symbols(path)
        if "espeak_Initialize" not in symbols:
            raise RuntimeError(f"{path}: no espeak_Initialize symbol")
        base = (ctypes.cast(dll.espeak_Initialize, ctypes.c_void_p).value
                - min(symbols["espeak_Initialize"]))
        self._vars = []
        for name, value in _FRESH.items():
            hits = {address for symbol, addresses in symbols.items()
                    if symbol == name or symbol.startswith(name + ".") for address in addresses}
            if len(hits) != 1:
                raise RuntimeError(f"libespeak-ng: static '{name}' found {len(hits)} times "
                                   "(a stripped or different build?); its audio would not be "
                                   "reproducible")
            self._vars.append((ctypes.c_int.from_address(base + hits.pop()), value))
        self._seed = dll.espeak_ng_SetRandSeed
        self._seed.argtypes = [ctypes.c_long]
        self._seed.restype = None

    def reset(self) -> None:
        for var, value in self._vars:
            var.value = value
        # espeak_Initialize seeds its noise generator with time(NULL); voices with breath or
        # Klatt settings use it, so they need a fixed seed as well.
        self._seed(0)
