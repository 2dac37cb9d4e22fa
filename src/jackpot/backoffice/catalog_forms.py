"""The operator's store and campaign forms, and the offers preview's.

A store or a campaign saved from the admin keeps the rules a catalogue file keeps: the form
builds the row it would save and has the importer validate it (`importer.check_store`,
`check_campaign`, `rules.consumed_beyond`), then stores the lists as the importer stores them.
No rule is written here; `catalog_errors` words the importer's refusals for the operator.
"""

import copy
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as Refused

from jackpot.backoffice import rows
from jackpot.backoffice.catalog_errors import worded
from jackpot.catalog import importer, rules
from jackpot.catalog.models import Campaign, Store
from jackpot.core.formats import POSTCODE


class PreviewForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("100"),
        help_text=_("The token's amount: the session budget."),
    )
    cp = forms.CharField(label=_("Postcode (cp)"), required=False, max_length=5)
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=130)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), ("M", "M"), ("F", "F")]
    )
    store = forms.ModelChoiceField(
        label=_("Store"), required=False, queryset=Store.objects.all(), empty_label=_("All stores")
    )

    def clean_cp(self):
        cp = self.cleaned_data["cp"].strip().upper()
        if cp and not POSTCODE.fullmatch(cp):
            raise ValidationError(_("A French postcode or department prefix (75, 2A, 13008)."))
        return cp


class _CheckedByTheImporter(forms.ModelForm):
    """A form whose row the catalogue importer's schema validates before it is saved.

    `check` parses the row as the file would hold it (pydantic's ValidationError when a rule is
    broken), `fields_of` turns the parse into what the importer stores, of which the form stores
    its `normalised` fields (the lists) the importer's way.
    """

    check = None
    fields_of = None
    normalised: tuple[str, ...] = ()

    def extra_problems(self, candidate) -> list:
        return []

    def clean(self):
        cleaned = super().clean()
        candidate = construct_instance(self, copy.copy(self.instance))
        problems = list(self.extra_problems(candidate))
        parsed = None
        try:
            parsed = self.check(candidate)
        except Refused as refused:
            problems = [*refused.errors(), *problems]
        for error in problems:
            if not isinstance(error, dict):  # one of `rules`' errors, raised outside the schema
                error = {"type": error.type, "loc": (), "ctx": error.context, "msg": str(error)}
            field, message = worded(error)
            field = field if field in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, message)
        if parsed is not None and not problems:
            stored = self.fields_of(parsed)
            for name in self.normalised:
                if name in cleaned:
                    cleaned[name] = stored[name]
        return cleaned


class CampaignForm(_CheckedByTheImporter):
    check = staticmethod(importer.check_campaign)
    fields_of = staticmethod(importer.campaign_fields)
    normalised = ("tiers", "target_postcodes")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "store",
            "mode",
            "tiers",
            "rounding",
            "start",
            "end",
            "target_postcodes",
            "target_age_min",
            "target_age_max",
            "target_gender",
            "budget",
            "max_vouchers",
        ]
        field_classes = {"tiers": rows.TiersField, "target_postcodes": rows.PostcodesField}
        help_texts = {
            "tiers": _(
                "A tier's rate applies from the amount paid it starts at, up to the next "
                "tier's start. Empty rows are ignored."
            ),
            "target_postcodes": _(
                "Postcodes or their first digits (75, 2A, 13008); none: every postcode."
            ),
        }

    def extra_problems(self, candidate):
        if self.instance._state.adding:
            return []
        return rules.consumed_beyond(candidate.pk, candidate.budget, candidate.max_vouchers)


class StoreForm(_CheckedByTheImporter):
    check = staticmethod(importer.check_store)
    fields_of = staticmethod(importer.store_fields)
    normalised = ("voucher_possible_discrete_values",)

    other_categories = forms.CharField(
        label=_("Other categories"),
        required=False,
        help_text=_("Codes separated by commas, for a category not listed above."),
    )

    class Meta:
        model = Store
        fields = [
            "id",
            "name",
            "slug",
            "enabled",
            "description",
            "mentions",
            "categories",
            "base_color",
            "logo_small",
            "logo_medium",
            "logo_large",
            "illustration",
            "validity_months",
            "voucher_value_min",
            "voucher_value_max",
            "voucher_value_step",
            "voucher_possible_discrete_values",
            "online",
            "in_store",
            "shipping_time",
            "code_source",
            "code_low_stock_threshold",
        ]
        field_classes = {
            "categories": rows.CategoriesField,
            "voucher_possible_discrete_values": rows.AmountsField,
        }
        help_texts = {
            "voucher_possible_discrete_values": _(
                "The only values sold, when the store takes a fixed list (then minimum, maximum "
                "and step are not used). Empty boxes are ignored."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "categories" in self.fields:
            in_use = {c for cs in Store.objects.values_list("categories", flat=True) for c in cs}
            self.fields["categories"].offer(in_use | set(self.instance.categories or []))

    def clean(self):
        if "categories" in self.cleaned_data:
            chosen = list(self.cleaned_data["categories"])
            typed = rows.other_categories(self.cleaned_data.get("other_categories", ""))
            self.cleaned_data["categories"] = chosen + [c for c in typed if c not in chosen]
        return super().clean()
