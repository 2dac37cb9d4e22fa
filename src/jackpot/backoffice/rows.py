"""Form inputs for the catalogue's list-shaped fields, instead of raw JSON: a row per tier, a box
per postcode or accepted value, a checkbox per category.

Each field reads what the operator typed and stores the shape the catalogue importer stores
(tiers `[{"from": "50.00", "rate": "0.08"}]`, postcodes `["75", "2A"]`, values `["10.00"]`,
categories `["sport"]`); whether the values are allowed is the importer's rule, applied by the
forms (`catalog_forms`). Without JavaScript a few blank rows wait at the end; with it, an
"Add" button appends more (`backoffice/rows.js`).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jackpot.core.formats import amount


class Rows(list):
    """What the operator typed, row by row: shown back as typed when the form has errors."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    suffix: str = ""
    size: int = 8


def number(text: str) -> Decimal | None:
    """A typed number, "12,5" as well as "12.50" or "1 000"; None when it is not one."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def plain(value: Decimal) -> str:
    """A Decimal written without exponent nor trailing zeros: 5, 7.5, 12.25."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class RowsWidget(forms.Widget):
    """Rows of small text inputs, one per column (a table), or a single column of boxes side by
    side (a list); inputs are named `<name>-<row>-<column>`."""

    template_name = "admin/jackpot/widgets/rows.html"

    class Media:
        js = ["backoffice/rows.js"]

    def __init__(self, columns: list[Column], item: str, extra: int = 2, attrs=None):
        super().__init__(attrs)
        self.columns, self.item, self.extra = columns, item, extra

    def value_from_datadict(self, data, files, name):
        pattern = re.compile(rf"^{re.escape(name)}-(\d+)-(\w+)$")
        typed: dict[int, dict[str, str]] = {}
        for key in data:
            match = pattern.match(key)
            if match:
                typed.setdefault(int(match[1]), {})[match[2]] = data.get(key, "").strip()
        rows = [typed[i] for i in sorted(typed)]
        return Rows(r for r in rows if any(r.values()))

    def value_omitted_from_data(self, data, files, name):
        return not any(key.startswith(f"{name}-") for key in data)

    def id_for_label(self, id_):
        return f"{id_}-0-{self.columns[0].key}" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        filled = list(value or [])
        rows = []
        for i, row in enumerate([*filled, *([{}] * self.extra)]):
            cells = []
            for column in self.columns:
                label, template = self.item % {"n": i + 1}, self.item % {"n": "__n__"}
                if len(self.columns) > 1:
                    label, template = f"{label} · {column.label}", f"{template} · {column.label}"
                cells.append(
                    {
                        "name": f"{name}-{i}-{column.key}",
                        "id": f"{(attrs or {}).get('id', name)}-{i}-{column.key}",
                        "value": row.get(column.key, ""),
                        "label": label,
                        "template": template,
                        "column": column,
                    }
                )
            rows.append(cells)
        context["widget"].update(
            {"rows": rows, "columns": self.columns, "table": len(self.columns) > 1}
        )
        return context


class _RowsField(forms.Field):
    """A list field edited as rows; `to_python` turns the typed rows into what is stored."""

    columns: list[Column] = []
    item = ""

    def __init__(self, *, encoder=None, decoder=None, **kwargs):  # what a JSONField passes
        kwargs.update(widget=RowsWidget(self.columns, self.item), show_hidden_initial=False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Rows):
            return value
        return self.shown(value or [])

    def shown(self, stored: list) -> list[dict]:
        return [{self.columns[0].key: str(v)} for v in stored]

    def has_changed(self, initial, data):
        try:
            typed = self.to_python(data)
        except ValidationError:
            return True
        return self.shown(initial or []) != self.shown(typed or [])


class TiersField(_RowsField):
    """Tiers as rows of (from, rate in %); stored as the importer stores them, rate a fraction."""

    columns = [
        Column("from", _("From (amount paid, €)"), "€"),
        Column("rate", _("Rate (%)"), "%", 6),
    ]
    item = _("Tier %(n)s")

    def shown(self, stored):
        return [
            {"from": str(amount(Decimal(str(t["from"])))), "rate": plain(rate_percent(t["rate"]))}
            for t in stored
        ]

    def to_python(self, value):
        if not isinstance(value, Rows):
            return value
        tiers, errors = [], []
        for n, row in enumerate(value, start=1):
            start, rate = number(row.get("from", "")), number(row.get("rate", ""))
            if start is None or rate is None:
                errors.append(
                    ValidationError(
                        _("Tier %(n)s: give the amount it starts from and its rate, as numbers."),
                        params={"n": n},
                    )
                )
                continue
            tiers.append({"from": str(start), "rate": str(rate.scaleb(-2))})
        if errors:
            raise ValidationError(errors)
        return tiers


def rate_percent(rate) -> Decimal:
    return Decimal(str(rate)).scaleb(2)


class PostcodesField(_RowsField):
    columns = [Column("code", _("Postcode or prefix"), size=6)]
    item = _("Postcode %(n)s")

    def to_python(self, value):
        if not isinstance(value, Rows):
            return value
        return [row.get("code", "").upper() for row in value]


class AmountsField(_RowsField):
    columns = [Column("value", _("Value (€)"), "€", 6)]
    item = _("Value %(n)s")

    def shown(self, stored):
        return [{"value": str(amount(Decimal(str(v))))} for v in stored]

    def to_python(self, value):
        if not isinstance(value, Rows):
            return value
        values = [(row.get("value", ""), number(row.get("value", ""))) for row in value]
        wrong = [typed for typed, parsed in values if parsed is None]
        if wrong:
            raise ValidationError(
                _("Not an amount: %(values)s."), params={"values": ", ".join(wrong)}
            )
        return [str(parsed) for _typed, parsed in values]


# The demo catalogue's categories, named; a store may have others (from a catalogue file, or
# typed in "Other categories"), offered as checkboxes once a store has them.
CATEGORIES = {
    "beauty": pgettext_lazy("category", "Beauty"),
    "culture": pgettext_lazy("category", "Culture"),
    "fashion": pgettext_lazy("category", "Fashion"),
    "food": pgettext_lazy("category", "Food"),
    "home": pgettext_lazy("category", "Home"),
    "kids": pgettext_lazy("category", "Kids"),
    "sport": pgettext_lazy("category", "Sport"),
    "tech": pgettext_lazy("category", "Tech"),
    "travel": pgettext_lazy("category", "Travel"),
}


class CategoriesField(forms.MultipleChoiceField):
    """A checkbox per category: the known ones, and any other a store already has."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, encoder=None, decoder=None, **kwargs):  # what a JSONField passes
        kwargs.update(required=False, show_hidden_initial=False)
        super().__init__(**kwargs)

    def offer(self, in_use) -> None:
        known = [(code, f"{label} ({code})") for code, label in CATEGORIES.items()]
        others = sorted({c for c in in_use if c not in CATEGORIES})
        self.choices = known + [(code, code) for code in others]


def other_categories(text: str) -> list[str]:
    """Codes typed in "Other categories", separated by commas or spaces."""
    return [c for c in re.split(r"[,;\s]+", text.strip().lower()) if c]
