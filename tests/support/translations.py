"""Our French catalogues as the tests read them: every app's `locale/fr/LC_MESSAGES/django.po`."""

import ast
from pathlib import Path

import jackpot

CATALOGUES = sorted(Path(jackpot.__file__).parent.glob("*/locale/fr/LC_MESSAGES/django.po"))


def entries(path: Path):
    """(msgid, msgstr) of a .po file's singular entries; a fuzzy entry has no msgstr."""
    for block in path.read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgctxt ")):
                current, _sep, rest = line.partition(" ")
                fields[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid") and "msgid_plural" not in fields and "msgctxt" not in fields:
            yield fields["msgid"], "" if fuzzy else fields.get("msgstr", "")


def all_entries():
    """(catalogue, msgid, msgstr) of every French catalogue of ours."""
    for path in CATALOGUES:
        for msgid, msgstr in entries(path):
            yield path, msgid, msgstr
