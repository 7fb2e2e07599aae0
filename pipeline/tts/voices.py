"""Which espeak-ng voice speaks which locale, and how fast.

A wrong-language voice is worse than none: English words read with Spanish letter rules, or a
French voice reading Haitian Creole, mislead the listeners audio is for. So a locale gets a voice
only when espeak-ng has one for its language; otherwise its pages say that audio is not
available. Ids were checked against the voice list of the libespeak-ng 1.52 bundled by
``espeakng-loader`` (``engine.getProperty("voices")``).
"""
from __future__ import annotations

import re
from typing import Iterable

from pipeline.config import CONFIG_NAME, Config
from pipeline.model import Location
from pipeline.report import ContentError

# gettext locale code (or bare language) -> espeak-ng voice id; None: espeak-ng has no voice.
DEFAULT_VOICES: dict[str, str | None] = {
    "en": "gmw/en-us",
    "es": "roa/es",  # Spain; "roa/es-419" (Latin America) is available through audio.voices
    "zh": "sit/cmn",  # Mandarin; espeak rejects "zh"
    "zh_Hans": "sit/cmn",
    "vi": "aav/vi",
    "ar": "sem/ar",
    "ht": "roa/ht",  # a real Haitian Creole voice (own dictionary and phonemes; "testing")
    "ru": "zle/ru",
    "tl": None,  # espeak-ng has no Tagalog/Filipino voice
    "so": None,  # nor Somali
}

DEFAULT_RATE = 150  # words per minute; espeak's 175 is fast for listeners new to a topic

# Only a region may be dropped to find a voice (es_MX -> es). A script or a modifier changes
# what is read (zh_Hant may be Cantonese; en@pseudo is test text), so those need an entry.
_REGION_ONLY = re.compile(r"^([a-z]{2,3})_([A-Z]{2}|\d{3})$")


def voice_for(locale: str, config: Config) -> str | None:
    """The espeak voice id for a gettext locale, or None when it must stay silent.

    ``audio.voices`` in pipeline.toml wins; there, "" means "no audio for this locale".
    """
    if locale in config.voices:
        return config.voices[locale] or None
    if locale in DEFAULT_VOICES:
        return DEFAULT_VOICES[locale]
    match = _REGION_ONLY.match(locale)
    if match:
        return DEFAULT_VOICES.get(match.group(1))
    return None


def rate_for(locale: str, config: Config) -> int:
    """Words per minute for a locale: ``audio.rates`` in pipeline.toml, else DEFAULT_RATE."""
    return int(config.rates.get(locale, DEFAULT_RATE))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def speech_units(text: str) -> int:
    """Words, with each Chinese/Japanese character counted as one (those scripts use no spaces)."""
    return len(_CJK.findall(text)) + len(_CJK.sub(" ", text).split())


def check_voices(config: Config, available_ids: Iterable[str]) -> None:
    """Raise ContentError (naming the ``audio.voices.<locale>`` key) for an unknown voice id.

    espeak-ng silently keeps the previous voice when given an unknown id, so a typo would
    otherwise produce a page read in the wrong language.
    """
    available = {v.lower() for v in available_ids}
    for locale, voice in config.voices.items():
        if voice and voice.lower() not in available:
            hint = _suggest(voice, available)
            raise ContentError(
                Location(CONFIG_NAME, _config_line(config, locale)),
                f"audio.voices.{locale}: unknown voice '{voice}' (espeak-ng voice ids look "
                f"like 'gmw/en-us' or 'roa/es'{hint}; \"\" means no audio)", "config-key")


def _suggest(voice: str, available: set[str]) -> str:
    """A likely intended id: the same language code under its family folder ('es' -> 'roa/es')."""
    leaf = voice.lower().rsplit("/", 1)[-1]
    matches = sorted(v for v in available if v.rsplit("/", 1)[-1] == leaf)
    return f"; did you mean '{matches[0]}'?" if matches else ""


def _config_line(config: Config, locale: str) -> int:
    """The line of ``<locale> = ...`` inside ``[audio.voices]`` (tomllib gives no positions)."""
    try:
        lines = (config.root / CONFIG_NAME).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    table = ""
    key = re.compile(rf'^\s*(voices\s*\.\s*)?"?{re.escape(locale)}"?\s*=')
    for number, line in enumerate(lines, 1):
        header = re.match(r"^\s*\[\s*([\w.\s\"-]+?)\s*\]", line)
        if header:
            table = re.sub(r"\s+", "", header.group(1))
            continue
        if table == "audio.voices" and key.match(line):
            return number
        # [audio] with a dotted key (voices.es = ...) or an inline table (voices = {es = ...})
        if table == "audio" and (key.match(line) and "voices" in line or re.search(
                rf'^\s*voices\s*=\s*\{{(.*,)?\s*"?{re.escape(locale)}"?\s*=', line)):
            return number
    return 0
