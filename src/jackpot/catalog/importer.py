"""Reading and dumping the catalogue file (`jackpot catalog import|export`): its schema, and
applying its stores and campaigns.

The file uses the API's own names. Each rule a file must keep is written here once: the operator
admin's forms validate what they would save with the same schema (`check_store`,
`check_campaign`), and every rule of our own raises a typed error (`catalog.rules`) that the
admin words in the operator's language. Import is an upsert keyed on store and campaign ids that
leaves untouched what did not change, so re-importing the same file changes nothing; it never
touches what reservations consumed (bonus spent, vouchers issued). The whole import, with the
file's pool codes and the store events partners hear, is `vouchers.catalogue_import`: the
catalogue imports neither codes nor webhooks.
"""
# ruff: noqa: N815 - field names are the file's camelCase

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from django.utils.text import slugify
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jackpot.catalog import pricing
from jackpot.catalog.entries import campaign_entry, store_entry
from jackpot.catalog.models import Campaign, Store
from jackpot.catalog.rules import broken, consumed_beyond
from jackpot.core.formats import POSTCODE, amount, iso

DEMO_CATALOG = Path(__file__).with_name("demo_catalog.json")
SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class CatalogError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TierIn(_Strict):
    from_: Decimal = Field(alias="from", ge=0, max_digits=12, decimal_places=2)
    rate: Decimal = Field(ge=0, lt=1, decimal_places=4)


class TargetingIn(_Strict):
    postcodes: list[str] = Field(default_factory=list)
    ageMin: int | None = Field(None, ge=0, le=130)
    ageMax: int | None = Field(None, ge=0, le=130)
    gender: Literal["M", "F"] | None = None

    @field_validator("postcodes")
    @classmethod
    def _postcodes(cls, value: list[str]) -> list[str]:
        for prefix in value:
            if not pricing_postcode(prefix):
                raise broken("postcode", prefix=prefix)
        return [p.upper() for p in value]


def pricing_postcode(prefix: str) -> bool:
    return bool(POSTCODE.fullmatch(prefix.upper()))


class CampaignIn(_Strict):
    id: str = Field(pattern=SLUG)
    mode: Literal["majoration", "minoration", "mixed"]
    tiers: list[TierIn] = Field(min_length=1)
    start: datetime
    end: datetime | None = None
    rounding: Literal["cent", "euro"] = "cent"
    targeting: TargetingIn = Field(default_factory=TargetingIn)
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    maxVouchers: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _coherent(self):
        starts = [t.from_ for t in self.tiers]
        if len(set(starts)) != len(starts):
            raise broken("tiers_same_start")
        for name in ("start", "end"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise broken("naive_datetime", name=name)
        if self.end is not None and self.end <= self.start:
            raise broken("end_before_start")
        t = self.targeting
        if t.ageMin is not None and t.ageMax is not None and t.ageMin > t.ageMax:
            raise broken("age_range")
        return self


class CodeIn(_Strict):
    """A pool code: the store's own code, its PIN, its fixed value and its last day of use."""

    code: str = Field(pattern=r"^[\x21-\x7e]{1,64}$")
    pin: str = Field("", pattern=r"^[\x21-\x7e]{0,32}$")
    value: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    expiry: date | None = None


class StoreIn(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, pattern=SLUG)
    description: str = ""
    mentions: str = ""
    baseColor: str = Field("#333333", pattern=r"^#(?:[0-9a-fA-F]{3}){1,2}$")
    logos: dict[Literal["small", "medium", "large"], str | None] = Field(default_factory=dict)
    illustration: str | None = None
    categories: list[str] = Field(default_factory=list)
    online: bool = True
    inStore: bool = False
    shippingTime: str = ""
    validityMonths: int = Field(12, ge=1, le=120)
    voucherValueMin: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    voucherValueMax: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    voucherValueStep: Decimal = Field(Decimal("1"), gt=0, max_digits=12, decimal_places=2)
    voucherPossibleDiscreteValues: list[
        Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    ] = Field(default_factory=list)
    enabled: bool = True
    codeSource: Literal["generated", "pool"] = "generated"
    codes: list[CodeIn] = Field(default_factory=list)
    campaigns: list[CampaignIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _values(self):
        if not self.voucherPossibleDiscreteValues and (
            self.voucherValueMin is None or self.voucherValueMax is None
        ):
            raise broken("values_missing")
        if (
            self.voucherValueMin
            and self.voucherValueMax
            and self.voucherValueMin > self.voucherValueMax
        ):
            raise broken("values_range")
        if any(v <= 0 for v in self.voucherPossibleDiscreteValues):
            raise broken("values_positive")
        if self.codes and self.codeSource != "pool":
            raise broken("codes_not_pool")
        seen = [c.code for c in self.codes]
        duplicates = sorted({c for c in seen if seen.count(c) > 1}) if self.codes else []
        if duplicates:
            raise broken("codes_twice", codes=", ".join(duplicates[:10]))
        return self


class CatalogIn(_Strict):
    stores: list[StoreIn]

    @model_validator(mode="after")
    def _unique(self):
        store_ids = [s.id for s in self.stores]
        slugs = [s.slug or slugify(s.id) for s in self.stores]
        campaign_ids = [c.id for s in self.stores for c in s.campaigns]
        for kind, ids in (("store", store_ids), ("store slug", slugs), ("campaign", campaign_ids)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{kind} ids appear twice: {', '.join(duplicates)}")
        return self


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)  # pool codes added, by store

    def as_dict(self) -> dict:
        report = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.codes:
            report["codes"] = self.codes
        return report


def store_fields(s: StoreIn) -> dict:
    return {
        "name": s.name,
        "slug": s.slug or slugify(s.id),
        "description": s.description,
        "mentions": s.mentions,
        "base_color": s.baseColor,
        "logo_small": s.logos.get("small") or "",
        "logo_medium": s.logos.get("medium") or "",
        "logo_large": s.logos.get("large") or "",
        "illustration": s.illustration or "",
        "categories": s.categories,
        "online": s.online,
        "in_store": s.inStore,
        "shipping_time": s.shippingTime,
        "validity_months": s.validityMonths,
        "voucher_value_min": pricing.money(s.voucherValueMin) if s.voucherValueMin else None,
        "voucher_value_max": pricing.money(s.voucherValueMax) if s.voucherValueMax else None,
        "voucher_value_step": pricing.money(s.voucherValueStep),
        "voucher_possible_discrete_values": [
            str(pricing.money(v)) for v in s.voucherPossibleDiscreteValues
        ],
        "enabled": s.enabled,
        "code_source": s.codeSource,
    }


def campaign_fields(c: CampaignIn) -> dict:
    return {
        "mode": c.mode,
        "tiers": [
            {"from": str(pricing.money(t.from_)), "rate": str(t.rate)}
            for t in sorted(c.tiers, key=lambda t: t.from_)
        ],
        "start": c.start,
        "end": c.end,
        "rounding": c.rounding,
        "target_postcodes": c.targeting.postcodes,
        "target_age_min": c.targeting.ageMin,
        "target_age_max": c.targeting.ageMax,
        "target_gender": c.targeting.gender or "",
        "budget": pricing.money(c.budget) if c.budget is not None else None,
        "max_vouchers": c.maxVouchers,
    }


def _upsert(model, pk: str, fields: dict, report: ImportReport, label: str, **extra):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        model.objects.create(pk=pk, **fields, **extra)
        report.created.append(label)
        return
    changed = [
        name for name, value in {**fields, **extra}.items() if _differs(getattr(obj, name), value)
    ]
    if changed:
        for name in changed:
            setattr(obj, name, {**fields, **extra}[name])
        # Only the changed columns: a reservation may be updating the spent counters meanwhile.
        obj.save(update_fields=[*changed, *(["updated_at"] if model is Store else [])])
        report.updated.append(label)
    else:
        report.unchanged.append(label)


def _differs(current, new) -> bool:
    if isinstance(current, Decimal) and new is not None:
        return current != Decimal(new)
    return current != new


def parse(data: dict) -> CatalogIn:
    try:
        return CatalogIn.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        ]
        raise CatalogError("the catalogue file is invalid:\n  " + "\n  ".join(lines)) from None


def apply_store(s: StoreIn, report: ImportReport) -> Store:
    """Create or update one store of the file (not its campaigns, not its codes), inside the
    caller's transaction."""
    fields = store_fields(s)
    taken = Store.objects.filter(slug=fields["slug"]).exclude(pk=s.id).first()
    if taken is not None:
        raise CatalogError(f"store {s.id}: slug {fields['slug']!r} is already store {taken.id}'s")
    _upsert(Store, s.id, fields, report, f"store {s.id}")
    return Store.objects.get(pk=s.id)


def apply_campaigns(s: StoreIn, report: ImportReport) -> None:
    """Create or update the store's campaigns of the file, inside the caller's transaction."""
    for c in s.campaigns:
        existing = Campaign.objects.filter(pk=c.id).exclude(store_id=s.id).first()
        if existing is not None:
            raise CatalogError(f"campaign {c.id} belongs to store {existing.store_id}, not {s.id}")
        for problem in consumed_beyond(c.id, c.budget, c.maxVouchers):
            raise CatalogError(f"campaign {c.id}: {problem}")
        _upsert(Campaign, c.id, campaign_fields(c), report, f"campaign {c.id}", store_id=s.id)


def load_file(path: str | Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"no such file: {path}") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path} is not valid JSON: {exc}") from None


def _number(value: Decimal | None):
    return amount(value)


def _pool_codes(store: Store) -> list[dict]:
    """The store's codes still in the pool (handed-out and void ones belong to vouchers)."""
    return [
        {
            "code": c.code,
            "pin": c.pin,
            "value": _number(c.value),
            "expiry": c.expiry.isoformat() if c.expiry else None,
        }
        for c in store.codes.filter(state="available").order_by("value", "code")
    ]


_NUMBERS = ("voucherValueMin", "voucherValueMax", "voucherValueStep")


def _exported_campaign(campaign: Campaign) -> dict:
    entry = campaign_entry(campaign)
    return {
        **entry,
        "tiers": [{"from": _number(t["from"]), "rate": str(t["rate"])} for t in entry["tiers"]],
        "start": iso(entry["start"]),
        "end": iso(entry["end"]),
        "budget": str(entry["budget"]) if entry["budget"] is not None else None,
    }


def export_catalog() -> dict:
    stores = []
    for store in Store.objects.prefetch_related("campaigns").order_by("id"):
        entry = store_entry(store)
        for name in _NUMBERS:
            if name in entry:
                entry[name] = _number(entry[name])
        if "voucherPossibleDiscreteValues" in entry:
            entry["voucherPossibleDiscreteValues"] = [
                _number(v) for v in entry["voucherPossibleDiscreteValues"]
            ]
        if store.code_source == "pool":
            entry["codes"] = _pool_codes(store)
        entry["campaigns"] = [_exported_campaign(c) for c in store.campaigns.order_by("id")]
        stores.append(entry)
    return {"stores": stores}


def check_store(store: Store) -> StoreIn:
    """The store row as the file would hold it, validated by the file's rules (ValidationError)."""
    return StoreIn.model_validate(store_entry(store))


def check_campaign(campaign: Campaign) -> CampaignIn:
    """The campaign row as the file would hold it, validated by the file's rules."""
    return CampaignIn.model_validate(campaign_entry(campaign))
