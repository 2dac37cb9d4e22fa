"""A store's monogram: the letters that stand for it where it has no logo (SPEC §10's carousel,
the voucher PDF's header). Defined here once; the API gives it with each store (`monogram`),
so the widget shows what the PDF prints.

The rule: split the name on spaces, apostrophes and hyphens; strip each word's leading and
trailing punctuation (quotes, brackets, "&"); keep the words that then start with a letter and
are not an article or a joining word (le, la, les, l, d, de, des, du, et, the, of, and); take the
first letter of the first two, upper-cased (a letter whose capital is two letters, as "ß",
stays as it is). "Fil & Trame" is "FT", "Le Fournil Doré" "FD", "L'Atelier d'Émile" "AÉ". A
name of joining words only keeps them ("Le Le" is "LL"); a name without any letter gives its
first character, an empty name "?".
"""

import re

JOINING_WORDS = frozenset(
    {"le", "la", "les", "l", "d", "de", "des", "du", "et", "the", "of", "and"}
)
_SEPARATORS = re.compile(r"[\s'’\-]+")
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


def _capital(letter: str) -> str:
    capital = letter.upper()
    return capital if len(capital) == 1 else letter


def monogram(name: str) -> str:
    words = [_EDGE_PUNCTUATION.sub("", w) for w in _SEPARATORS.split(name or "")]
    words = [w for w in words if w and w[0].isalpha()]
    meaningful = [w for w in words if w.casefold() not in JOINING_WORDS] or words
    letters = "".join(_capital(w[0]) for w in meaningful[:2])
    return letters or (name or "").strip()[:1] or "?"
