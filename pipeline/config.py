"""``pipeline.toml``: the content project's settings, validated so every error names its key."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from pipeline.confine import safe_locale_code
from pipeline.locales import is_valid
from pipeline.model import Location
from pipeline.report import ContentError

CONFIG_NAME = "pipeline.toml"
# Reference lists are not read aloud: citations took 74-76 s of every language's audio of
# the sample article, and a listener who wants them has the page.
DEFAULT_SKIP_SECTIONS = frozenset({"references"})

# section -> key -> (expected type, description); "*" means any key (e.g. a locale code).
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "project": {"name": str, "source_language": str, "locales": list},
    "build": {"publish_threshold": (int, float), "site_title": str, "scheduler": str},
    "audio": {"enabled": bool, "voices": dict, "rates": dict, "workers": int,
              "skip_sections": list},
    "checks": {"digits": dict, "*": str},
    "site": {"base_url": str, "organisation": str, "logo": str},
    "outputs": {"pdf": bool, "bilingual": bool, "epub": bool, "bundles": bool},
}


@dataclass(frozen=True)
class Outputs:
    """``[outputs]``: the outreach formats made besides pages and audio. Off unless asked for:
    a PDF costs far more than a page (see BENCHMARKS.md), and a site for screens needs none."""
    pdf: bool = False  # output/<lang>/<slug>.pdf, a printable handout
    bilingual: bool = False  # output/<lang>/<slug>.bilingual.pdf, source beside translation
    epub: bool = False  # output/<lang>/<slug>.epub, an EPUB 3 talking book
    bundles: bool = False  # output/bundles/<lang>.zip, the locale's site for offline use


@dataclass(frozen=True)
class Config:
    root: Path
    name: str = "Health Library"
    source_language: str = "en"
    locales: tuple[str, ...] = ()
    publish_threshold: float = 80.0
    audio_enabled: bool = True
    voices: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    rates: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    audio_workers: int = 0
    # [audio] skip_sections: section ids not read aloud; "references" also means every
    # reference list (citations), wherever it stands. [] reads everything.
    skip_sections: frozenset[str] = DEFAULT_SKIP_SECTIONS
    # [site] base_url: where output/ is published ("https://example.org/health/"), for the
    # absolute links podcast feeds need; "" when the site has no address (USB sticks).
    base_url: str = ""
    # [site] organisation and logo (a path in the project): printed on handouts and books;
    # the organisation defaults to the project's name.
    organisation: str = ""
    logo: str = ""
    outputs: Outputs = Outputs()
    # [build] scheduler: a Dask scheduler ("tcp://HOST:8786") that speaks the sections
    # instead of this machine's processes; "" for this machine (see stages/executor.py).
    scheduler: str = ""
    check_severities: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # [checks.digits]: the digit systems (CLDR ids) each locale's readers read, e.g.
    # ar = ["latn", "arab"]; locales not listed use textsafety.DEFAULT_DIGITS.
    digit_systems: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    def rel(self, path: Path) -> str:
        """A path as messages print it: relative to the project root when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def chosen_locales(config: Config, chosen: Sequence[str] | None, reporter,
                   allowed: Sequence[str] | None = None) -> list[str]:
    """The configured locales (or ``allowed``) named by ``-l`` (all when none is named). A
    locale that is not configured is an error at the ``locales`` line that says the exact line
    to write there (sphinx-intl users expect ``-l`` to start a language)."""
    allowed = list(config.locales if allowed is None else allowed)
    for code in chosen or ():
        if code in allowed:
            continue
        text = _config_text(config.root)
        if safe_locale_code(code) and is_valid(code):
            wanted = ", ".join(f'"{c}"' for c in (*config.locales, code))
            advice = f"to add it, write in [project]: locales = [{wanted}]"
        else:
            advice = "it is not a known gettext locale code (e.g. es, zh_Hans, pt_BR)"
        reporter.error(Location(CONFIG_NAME, _line_of(text, "project.locales") if text else 0),
                       f"locale '{code}' is not in project.locales; {advice}",
                       "unknown-locale")
    return [c for c in allowed if not chosen or c in chosen]


def _config_text(root: Path) -> str:
    try:
        return (root / CONFIG_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _key_parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", dotted)]


def _line_of(text: str, key: str) -> int:
    """The line where the dotted ``key`` is defined, so errors point at it (tomllib gives no
    positions). Tables are followed, so ``audio.rates.es`` is not found under ``[audio.voices]``;
    a key inside an inline table or array points at the line that opens it."""
    wanted = _key_parts(key)
    table: list[str] = []
    enclosing = (0, 0)  # (depth, line) of the deepest table or key that contains ``key``
    for number, line in enumerate(text.splitlines(), 1):
        if m := re.match(r"\s*\[\[?\s*([^\]#]+?)\s*\]", line):
            table = path = _key_parts(m.group(1))
        elif m := re.match(r"\s*([\w\"'. -]+?)\s*=", line):
            path = table + _key_parts(m.group(1))
        else:
            continue
        if path[:len(wanted)] == wanted:
            return number
        if wanted[:len(path)] == path and len(path) > enclosing[0]:
            enclosing = (len(path), number)
    return enclosing[1]


def load_config(root: Path) -> Config:
    """Read and validate ``root/pipeline.toml``; a missing file means all defaults."""
    root = Path(root).absolute()  # a relative root made output paths relative to itself twice
    path = root / CONFIG_NAME
    if not path.exists():
        return Config(root=root)
    text, data = _read_toml(root, path)

    def fail(key: str, message: str) -> None:
        raise ContentError(Location(CONFIG_NAME, _line_of(text, key)), f"{key}: {message}",
                           "config-key")

    _check_schema(data, fail)
    project, build, audio = (data.get(k, {}) for k in ("project", "build", "audio"))
    source_language, locales = _check_locales(project, fail)
    threshold = build.get("publish_threshold", 80)
    if not 0 <= threshold <= 100:
        fail("build.publish_threshold", "must be between 0 and 100")
    _check_audio(audio, locales, source_language, fail)
    checks = dict(data.get("checks", {}))
    digits = _digit_systems(checks.pop("digits", {}), locales, fail)
    for code, severity in checks.items():
        if severity not in ("error", "warning", "off"):
            fail(f"checks.{code}", "must be \"error\", \"warning\" or \"off\"")
    return Config(
        root=root,
        name=project.get("name", "Health Library"),
        source_language=source_language,
        locales=tuple(locales),
        publish_threshold=float(threshold),
        audio_enabled=audio.get("enabled", True),
        voices=MappingProxyType(dict(audio.get("voices", {}))),
        rates=MappingProxyType(dict(audio.get("rates", {}))),
        audio_workers=audio.get("workers", 0),
        skip_sections=frozenset(audio.get("skip_sections", DEFAULT_SKIP_SECTIONS)),
        check_severities=MappingProxyType(checks),
        digit_systems=MappingProxyType(digits),
        base_url=_base_url(data.get("site", {}), fail),
        organisation=data.get("site", {}).get("organisation", "").strip()
        or project.get("name", "Health Library"),
        logo=_logo(root, data.get("site", {}).get("logo", ""), fail),
        outputs=Outputs(**data.get("outputs", {})),
        scheduler=_scheduler(build.get("scheduler", ""), fail),
    )


_SCHEDULER = re.compile(r"^(tcp|tls|ws|wss|ucx)://[^\s/]+$")


def scheduler_address(value: str) -> str:
    """A Dask scheduler address as Dask reads it (``HOST:PORT`` means tcp://); ValueError
    saying what is wrong. ``--scheduler`` and the environment variable go through it too."""
    value = value.strip()
    if value and "://" not in value:
        value = "tcp://" + value
    if not _SCHEDULER.match(value):
        raise ValueError(f"'{value}' is not a Dask scheduler address (e.g. tcp://HOST:8786)")
    return value


def _scheduler(value: str, fail) -> str:
    try:  # "local": this machine, as with ``build --scheduler local``
        return scheduler_address(value) if value.strip() not in ("", "local") else ""
    except ValueError as exc:
        fail("build.scheduler", str(exc))
        return ""


def _logo(root: Path, logo: str, fail) -> str:
    """The logo's path relative to the project; it must be a PNG, JPEG or SVG inside it."""
    if not logo:
        return ""
    path = (root / logo).resolve()
    if not path.is_relative_to(root.resolve()):
        fail("site.logo", "must be a file inside the project")
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
        fail("site.logo", "must be a .png, .jpg or .svg file")
    if not path.is_file():
        fail("site.logo", f"names a file that does not exist: {logo}")
    return logo


def _base_url(site: dict, fail) -> str:
    url = site.get("base_url", "").strip()
    if url and not re.match(r"https?://[^\s/?#]+[^\s?#]*$", url):
        fail("site.base_url", "must be an http:// or https:// address without a query "
             "(e.g. \"https://example.org/health/\")")
    return url if not url or url.endswith("/") else url + "/"


def _read_toml(root: Path, path: Path) -> tuple[str, dict]:
    where = Location(CONFIG_NAME)
    if not path.resolve().is_relative_to(root.resolve()):  # a link: another project's file
        raise ContentError(where, "is a symbolic link leading outside the project; it is not "
                           "followed", "path")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(where, f"cannot read: {exc}", "config-unreadable") from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise ContentError(Location(CONFIG_NAME, line), f"invalid TOML: {exc}",
                           "config-syntax") from None


def _check_schema(data: dict, fail) -> None:
    for section, values in data.items():
        if section not in _SCHEMA:
            fail(section, f"unknown section (expected one of {', '.join(_SCHEMA)})")
        if not isinstance(values, dict):
            fail(section, "must be a table")
        allowed = _SCHEMA[section]
        for key, value in values.items():
            expected = allowed.get(key, allowed.get("*"))
            if expected is None:
                fail(f"{section}.{key}", f"unknown key (expected one of {', '.join(allowed)})")
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                fail(f"{section}.{key}", f"has the wrong type {type(value).__name__}")


def _check_locales(project: dict, fail) -> tuple[str, list[str]]:
    source_language = project.get("source_language", "en")
    if not safe_locale_code(source_language) or not is_valid(source_language):
        fail("project.source_language", f"unknown locale code '{source_language}'")
    locales = project.get("locales", [])
    for code in locales:
        if not safe_locale_code(code) or not is_valid(code):
            fail("project.locales", f"unknown locale code '{code}'")
    if len(set(locales)) != len(locales):
        fail("project.locales", "lists a locale twice")
    if source_language in locales:  # its pages come from the sources: they were built twice
        fail("project.locales", f"lists the source language '{source_language}'; "
             "project.source_language is always built, remove it from locales")
    return source_language, locales


def _check_audio(audio: dict, locales: list[str], source_language: str, fail) -> None:
    if not all(isinstance(i, str) and i for i in audio.get("skip_sections", [])):
        fail("audio.skip_sections", "must be a list of section ids, e.g. [\"references\"]")
    for table in ("voices", "rates"):
        for code, value in audio.get(table, {}).items():
            if code not in locales and code != source_language:
                fail(f"audio.{table}.{code}", "is not a configured locale")
            if table == "voices" and not isinstance(value, str):
                fail(f"audio.voices.{code}", "must be an espeak voice id or \"\" for none")
            if table == "rates" and (not isinstance(value, int) or not 60 <= value <= 400):
                fail(f"audio.rates.{code}", "must be words per minute between 60 and 400")


def _digit_systems(table: dict, locales: list[str], fail) -> dict[str, tuple[str, ...]]:
    """``[checks.digits]``: configured locale -> non-empty list of known digit systems."""
    from pipeline.textsafety import DIGIT_SYSTEMS

    for code, systems in table.items():
        key = f"checks.digits.{code}"
        if code not in locales:
            fail(key, "is not a configured locale")
        if not isinstance(systems, list) or not systems or not all(
                isinstance(s, str) for s in systems):
            fail(key, "must be a list of digit systems, e.g. [\"latn\", \"arab\"]")
        for system in systems:
            if system not in DIGIT_SYSTEMS:
                fail(key, f"unknown digit system '{system}' (known: "
                     f"{', '.join(DIGIT_SYSTEMS)})")
    return {code: tuple(systems) for code, systems in table.items()}
