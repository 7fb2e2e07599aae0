"""``[speech]`` warnings and the validation of ``locales/<ll>/speech.po`` (issue 14).

For each locale with a voice, ``check`` and the build's localize jobs report the tokens the
voice will probably misread (``pipeline.speech_text.misread``) at the line a translator or
author fixes: the msgstr's PO line, or the source line for source-language text. One warning
per kind of token per string (the first token, naming the others of its kind), so a table
of doses does not bury the other checks. The severity is ``[checks] speech`` in
pipeline.toml ("warning" by default; "off" silences it; "error" fails the command but never
withholds text: the page is right, only its audio may be read wrongly).

Citations (reference lists, never translated) are not checked: their capitals are authors'
initials and journals' abbreviations ("Genovese MC", "EBSCO"), which no lexicon should list,
and a warning for each would bury the ones about the health text.

The lexicon's own problems (``Lexicon.issues``, code ``speech-lexicon``) are reported once
per build and by ``check``, which also runs GNU ``msgfmt --check`` on the file.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.catalogs import msgfmt_check
from pipeline.checks import DEFAULT_SEVERITY
from pipeline.config import Config
from pipeline.inline import to_plain
from pipeline.locales import locale_info
from pipeline.model import Issue, Location, Severity
from pipeline.report import ContentError
from pipeline.speech_text.lexicon import CODE as LEXICON_CODE, Lexicon, lexicon_print, \
    project_lexicon
from pipeline.speech_text.misread import CODE, misreadings_by_kind
from pipeline.textsafety import visible
from pipeline.tts.voices import voice_for


def voiced(config: Config, locale: str) -> bool:
    """Whether a locale's text is spoken: audio is on and the locale has a voice."""
    return config.audio_enabled and voice_for(locale, config) is not None


def speech_po_path(config: Config, locale: str) -> Path:
    return config.locales_dir / locale / "speech.po"


def speech_print(config: Config, locale: str) -> str:
    """What a locale's speech warnings depend on besides the text (an input of its localize
    jobs): the lexicon's fingerprint, or "" for a locale that is not spoken."""
    return lexicon_print(locale, config.locales_dir) if voiced(config, locale) else ""


class SpeechChecker:
    """The ``[speech]`` warnings of one locale's strings; call with (text, location)."""

    def __init__(self, lexicon: Lexicon, lang: str, severity: str):
        self.lexicon = lexicon
        self.lang = lang  # BCP 47 tag, as the voice's text is tagged
        self.severity = severity

    def __call__(self, text: str, where: Location) -> list[Issue]:
        # A broken lexicon is reported itself; its locale speaks the raw text until fixed.
        if self.severity == "off" or not self.lexicon.usable:
            return []
        plain = to_plain(text)
        if not plain.strip():
            return []
        first: dict[str, tuple[str, list[str]]] = {}  # kind -> (message, other tokens)
        for kind, (span, message) in misreadings_by_kind(plain, self.lang, self.lexicon):
            token = plain[span[0]:span[1]]
            if kind not in first:
                first[kind] = (message, [token])
            elif token not in first[kind][1]:
                first[kind][1].append(token)
        issues = []
        for message, tokens in first.values():
            if len(tokens) > 1:
                message += " (the same for " + ", ".join(f"'{t}'" for t in tokens[1:]) + ")"
            issues.append(Issue(where, Severity(self.severity), visible(message), CODE))
        return issues


def speech_checker_for(config: Config, locale: str) -> SpeechChecker | None:
    """The locale's ``[speech]`` checker, or None when its text is not spoken."""
    if not voiced(config, locale):
        return None
    severity = {**DEFAULT_SEVERITY, **config.check_severities}["speech"]
    return SpeechChecker(project_lexicon(locale, config.locales_dir),
                         locale_info(locale).tag, severity)


def lexicon_issues(config: Config, locale: str) -> tuple[Issue, ...]:
    """The problems of a spoken locale's lexicon (its ``speech.po`` at their lines)."""
    if not voiced(config, locale):
        return ()
    return project_lexicon(locale, config.locales_dir).issues


def check_speech_po(config: Config, locale: str) -> list[Issue]:
    """``check``'s validation of a spoken locale's ``speech.po``: the lexicon's problems,
    and GNU ``msgfmt --check``'s first one when the lexicon reader found none at its line."""
    issues = list(lexicon_issues(config, locale))
    path = speech_po_path(config, locale)
    if not voiced(config, locale) or not path.is_file() or shutil.which("msgfmt") is None:
        return issues
    try:
        msgfmt_check(path, config.rel(path))
    except ContentError as exc:
        found = exc.issue
        if all(i.location.line != found.location.line for i in issues):
            issues.append(Issue(found.location, Severity.ERROR,
                                f"msgfmt --check: {found.message}", LEXICON_CODE))
    return issues
