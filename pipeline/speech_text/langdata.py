"""What the rules need to know about a language that is not a word to say.

The words the rules insert ("to", "over", "per", "o'clock", units, abbreviations...) live in
the per-locale lexicons (PO files translators own). What stays here is structural: which
characters mark decimals and group thousands, which words announce a Roman numeral, which
numbers are emergency numbers read digit by digit, how a number agrees with a feminine unit.
Every fact below was checked against what the libespeak-ng 1.52 voice of that language
says without help (see tests/speech_tables/): a rule is only worth having where the voice
gets it wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LangRules:
    language: str
    decimal_marks: str = "."  # characters that may separate a decimal fraction
    group_marks: str = ","  # characters that may group thousands ("1,000")
    # Thousands grouped with spaces ("1 000"): espeak reads the groups as separate numbers
    # ("один ноль ноль ноль"), so the rule joins them; only where the locale writes them so.
    space_groups: bool = False
    roman_after: tuple[str, ...] = ()  # lower-case words after which "II" is a number
    roman_before: tuple[str, ...] = ()  # words (CJK) before which it is ("II期")
    emergency: tuple[str, ...] = ()  # always read digit by digit ("nine one one")
    # ... and these only in a sentence with a cue word ("call 112", not "112 patients")
    emergency_cued: tuple[str, ...] = ()
    emergency_cues: tuple[str, ...] = ()
    digit_words: tuple[tuple[str, str], ...] = ()  # digit -> word when reading digits
    clock_unit: str = ""  # unit whose forms say "8:00" ("8 часов") when no o'clock word
    bare_hour: bool = False  # else "8:00" is said "8" (Arabic writes "الساعة 8:00")
    num2words: str = ""  # num2words language code, where it speaks this language
    # Number words before a unit, where the voice's own reading disagrees with the unit's
    # gender ("1 hora" -> "uno hora"): regex substitutions on num2words' words.
    masculine: tuple[tuple[str, str], ...] = ()
    feminine: tuple[tuple[str, str], ...] = ()
    # The unit form after a decimal number is the form the plural rule gives for this n
    # (English "1.5 milligrams" like 2; Russian "1,5 миллиграмма" like 2; Arabic like 100);
    # None: the form of the integer part (French "1,5 milligramme").
    decimal_plural_n: int | None = 2
    # ... and after a fraction below one: 1 ("1/2 teaspoon", "media cucharadita"), but
    # Russian takes the genitive singular as after 2 ("1/2 таблетки").
    fraction_plural_n: int = 1
    # Abbreviations that never end a sentence (a name or number follows), for the splitter;
    # the lexicon's abbreviations are added to them.
    titles: frozenset[str] = field(default_factory=frozenset)


_LATIN_TITLES = frozenset({"dr", "mr", "mrs", "ms", "prof", "st", "sr", "jr", "vs", "approx",
                           "fig", "no", "vol", "dept", "p", "pp", "cf", "e.g", "i.e", "ca"})

RULES: dict[str, LangRules] = {
    "en": LangRules(
        "en", roman_after=("phase", "type", "stage", "grade", "class", "level", "part",
                           "chapter", "category", "schedule", "factor", "step"),
        emergency=("911",), emergency_cued=("999", "112", "988"),
        emergency_cues=("call", "dial", "phone", "ring", "text", "emergency", "crisis"),
        num2words="en",
        titles=_LATIN_TITLES | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                                "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed",
                                "thu", "thurs", "fri", "sat", "sun"}),
    "es": LangRules(
        "es", decimal_marks=",.", group_marks=". ", space_groups=True,
        roman_after=("fase", "tipo", "estadio", "etapa", "grado", "clase", "nivel", "parte",
                     "capítulo", "categoría", "factor"),
        emergency_cued=("911", "112", "061"), emergency_cues=(
            "llam", "marque", "teléfono", "emergencia", "urgencia"),
        clock_unit="h", num2words="es",
        masculine=((r"veintiuno$", "veintiún"), (r"uno$", "un")),
        feminine=((r"uno$", "una"), (r"ientos\b", "ientas")),
        titles=frozenset({"dr", "dra", "sr", "sra", "srta", "ud", "uds", "vd", "vds", "prof",
                          "lic", "ing", "aprox", "núm", "pág", "págs", "tel", "av", "avda",
                          "fig", "vol", "ej", "p", "ene", "feb", "abr", "jun", "jul", "ago",
                          "sept", "oct", "nov", "dic", "cía", "depto", "p. ej", "c"})),
    "vi": LangRules(
        "vi", decimal_marks=",.", group_marks=". ", space_groups=True,
        roman_after=("giai đoạn", "loại", "độ", "pha", "cấp", "nhóm", "típ", "týp", "phần",
                     "chương"),
        emergency_cued=("115", "113", "114", "911", "112"),
        emergency_cues=("gọi", "số", "cấp cứu", "khẩn cấp"), num2words="vi",
        titles=frozenset({"ts", "bs", "ths", "pgs", "gs", "tr", "tp", "q", "p"})),
    "ar": LangRules(
        "ar", decimal_marks=".٫", group_marks=",٬", roman_after=(
            "المرحلة", "مرحلة", "النوع", "نوع", "الدرجة", "درجة", "الصنف", "الفئة",
            "الطور"),
        emergency_cued=("911", "997", "999", "112", "123", "122"),
        emergency_cues=("اتصل", "رقم", "الرقم", "الطوارئ", "الإسعاف"), num2words="ar",
        bare_hour=True,
        decimal_plural_n=100, titles=frozenset({"د", "ص", "م", "أ"})),
    "ru": LangRules(
        "ru", decimal_marks=",.", group_marks=" ", space_groups=True,
        roman_after=("фаза", "фазы", "фазе", "тип", "типа", "стадия", "стадии", "степень",
                     "степени", "класс", "класса", "часть", "глава", "уровень"),
        # Russians say 103 and 112 as numbers ("сто три"), which espeak already does.
        clock_unit="ч", num2words="ru", fraction_plural_n=2,
        feminine=((r"\bодин$", "одна"), (r"\bдва$", "две")),
        titles=frozenset({"д-р", "проф", "г", "гг", "стр", "с", "см", "т", "рис", "др",
                          "напр", "т. е", "т. д", "т. п", "им", "ул"})),
    "zh": LangRules(
        "zh", roman_before=("期", "型", "级", "度", "类", "相"),
        roman_after=("第",),
        emergency_cued=("120", "110", "119", "122", "911", "112"),
        emergency_cues=("拨打", "打", "呼叫", "致电", "电话", "急救", "报警", "call"),
        digit_words=(("1", "幺"),)),  # phone digits: "yāo", as Mandarin speakers say them
    "ht": LangRules(
        "ht", decimal_marks=",.", group_marks=" ", space_groups=True,
        roman_after=("faz", "tip", "etap", "estad", "klas", "nivo", "degre", "pati"),
        emergency_cued=("911", "114", "116", "118"),
        emergency_cues=("rele", "nimewo", "ijans", "telefòn"),
        titles=frozenset({"dr", "mr", "mm", "p", "pp", "elatriye"})),
    "fr": LangRules(
        "fr", decimal_marks=",", group_marks=" .", space_groups=True,
        roman_after=("phase", "type", "stade", "grade", "classe", "niveau", "partie",
                     "chapitre", "catégorie", "facteur"),
        emergency_cued=("15", "17", "18", "112", "114", "115", "119", "911"),
        emergency_cues=("appel", "compose", "numéro", "urgence", "samu"), clock_unit="h",
        num2words="fr", feminine=((r"\bun$", "une"),), decimal_plural_n=None,
        titles=frozenset({"dr", "pr", "m", "mm", "mme", "mlle", "p", "pp", "env", "fig",
                          "vol", "n°", "cf", "ex", "janv", "févr", "avr", "juil", "sept",
                          "oct", "nov", "déc"})),
    "pt": LangRules(
        "pt", decimal_marks=",", group_marks=". ", space_groups=True,
        roman_after=("fase", "tipo", "estágio", "estádio", "grau", "classe", "nível", "parte",
                     "capítulo", "categoria", "fator"),
        emergency_cued=("192", "190", "193", "112", "911"),
        emergency_cues=("ligue", "disque", "número", "emergência", "samu"),
        clock_unit="h", num2words="pt",
        feminine=((r"\bum$", "uma"), (r"\bdois$", "duas"), (r"entos\b", "entas")),
        decimal_plural_n=None,
        titles=frozenset({"dr", "dra", "sr", "sra", "srta", "prof", "profa", "p", "pág",
                          "aprox", "ex", "fig", "vol", "tel", "av"})),
}

_GENERIC = LangRules("", titles=_LATIN_TITLES)


def language_of(lang: str) -> str:
    """``zh_Hans`` / ``zh-Hans`` / ``es_MX`` / ``pt-BR`` -> the language subtag."""
    return lang.replace("-", "_").partition("@")[0].split("_")[0].lower()


def rules_for(lang: str) -> LangRules:
    """The structural data for a locale; a language without data gets the generic rules
    (the lexicon alone then says what to expand)."""
    return RULES.get(language_of(lang), _GENERIC)
