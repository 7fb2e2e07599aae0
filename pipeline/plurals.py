"""The project's plural rules: the Plural-Forms a new catalog gets, and the one check of an
existing catalog's header against them.

Pinned here, not taken from Babel: Babel 2.19's CLDR data gives Spanish three forms, changes
the Arabic rule and gives Tagalog Filipino's rule, and the translators' tools (GNU msginit,
Weblate, Poedit, Lokalize) use the gettext conventions below. A dependency upgrade must never
change what a translator's plural entries mean, so ``update`` never rewrites a catalog's
existing Plural-Forms (as GNU msgmerge never does) and ``check`` warns where it differs.

Sources: GNU gettext 0.21 ``gettext-tools/src/plural-table.c`` (what msginit writes) and, for
languages it does not list, Translate Toolkit 3.20 ``translate/lang/data.py`` (what Weblate and
Pootle write). Tagalog is in neither: it keeps the two-form rule its catalogs have always had,
not Filipino's CLDR rule that Babel substitutes for ``tl``.
"""
from __future__ import annotations

import re

_ONE = "nplurals=1; plural=0;"
_NOT_ONE = "nplurals=2; plural=(n != 1);"
_ABOVE_ONE = "nplurals=2; plural=(n > 1);"
_EAST_SLAVIC = ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                "(n%100<10 || n%100>=20) ? 1 : 2);")

# Keyed by gettext locale code; a code not listed is looked up by its language ("pt_PT" -> "pt").
PLURAL_FORMS: dict[str, str] = {
    **dict.fromkeys(("bo", "dz", "id", "ja", "km", "ko", "lo", "ms", "my", "th", "vi", "yo",
                     "zh"), _ONE),
    **dict.fromkeys(("af", "az", "bg", "ca", "da", "de", "el", "en", "es", "et", "eu", "fi",
                     "gl", "ha", "he", "ht", "hu", "it", "ka", "kk", "ku", "ml", "mn", "nb",
                     "ne", "nl", "ps", "rw", "so", "sq", "st", "sv", "sw", "ta", "te", "tl",
                     "tr", "ur", "uz"), _NOT_ONE),
    **dict.fromkeys(("am", "bn", "fa", "fil", "fr", "gu", "hi", "hy", "kn", "mr", "pa", "pt",
                     "pt_BR", "si", "ti", "zu"), _ABOVE_ONE),
    **dict.fromkeys(("bs", "hr", "ru", "sr", "uk"), _EAST_SLAVIC),
    "ar": ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
           ": n%100>=11 ? 4 : 5);"),
    "cs": "nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);",
    "sk": "nplurals=3; plural=((n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2);",
    "cy": "nplurals=2; plural=((n==2) ? 1 : 0);",
    "ga": "nplurals=5; plural=(n==1 ? 0 : n==2 ? 1 : (n>2 && n<7) ? 2 :(n>6 && n<11) ? 3 : 4);",
    "lt": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) "
          "? 1 : 2);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "mk": "nplurals=2; plural=(n==1 || n%10==1 ? 0 : 1);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 "
          ": 2);",
    "ro": "nplurals=3; plural=(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2);",
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
}


def plural_forms_for(code: str) -> str | None:
    """The project's Plural-Forms for a gettext locale code, or None if the table has none."""
    base = code.partition("@")[0]
    return PLURAL_FORMS.get(base) or PLURAL_FORMS.get(base.split("_")[0])


def _normalized(value: str) -> tuple[str, str] | None:
    """(nplurals, expression) without spaces or enclosing parentheses, so that
    ``plural=(n != 1);`` and ``plural=n!=1`` compare equal; None if it cannot be read."""
    m = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", value)
    if m is None:
        return None
    expr = re.sub(r"\s+", "", m.group(2))
    while expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1]):
        expr = expr[1:-1]
    return m.group(1), expr


def _balanced(expr: str) -> bool:
    depth = 0
    for char in expr:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def plural_forms_differ(code: str, value: str) -> str | None:
    """What the table expects when a catalog's Plural-Forms ``value`` says otherwise; None when
    they agree (spacing and parentheses aside) or the table has no entry for ``code``."""
    expected = plural_forms_for(code)
    if expected is None or _normalized(value) == _normalized(expected):
        return None
    return expected
