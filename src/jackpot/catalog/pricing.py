"""Pricing: tiers, rounding and offers, as pure functions.

This module is the one place that turns a campaign's rate tiers into prices and voucher values
(SPEC §4). It imports nothing from Django so the rules can be tested, benchmarked and reused by
the API, the backoffice, the CLI and the worker alike.

Vocabulary:

* the **price** (P) is what the user converts, paid by the partner;
* the **value** (V) is what the voucher is worth in the store;
* the **bonus** is V − P, funded by the store.

Tiers are keyed on the converted amount, i.e. the price, in both modes:

* *majoration*: V = P × (1 + r)       (100 € converted at +10 % buys a 110 € voucher)
* *minoration*: V = P / (1 − r)       (a 100 € voucher at −10 % costs 90 €)

A *mixed* campaign is two :class:`PricingRule` objects built from the same tiers, one per mode;
this module only knows the two elementary modes.

Money is :class:`~decimal.Decimal` with two places, never float. Every money amount returned here
is quantized to exactly two places (``exponent == -2``). Rates are returned as given by the tier.

Speed: every catalogue request prices each offer, so `_quote_value` (one accepted value) is the
hot loop. It passes over tiers that cannot hold the price without dividing, and the best quote
(the first of `proposed_quotes_descending`) is found by walking the accepted values down from a
per-tier bound rather than by quoting every value from the smallest. tests/catalog/test_pricing.py
checks both against SPEC §4 read literally; bench/micro_bench.py measures them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import (
    ROUND_CEILING,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Literal, TypeVar

__all__ = [
    "CENT",
    "Mode",
    "Rounding",
    "Tier",
    "PricingRule",
    "AcceptedValues",
    "Quote",
    "quote_for_listed_price",
    "quote_for_value",
    "proposed_quotes",
    "proposed_quotes_descending",
    "best_deals",
    "money",
    "rate",
]

CENT = Decimal("0.01")
ONE = Decimal(1)
ZERO_MONEY = Decimal("0.00")
# Half a cent: the most that rounding a price to the cent can take off it.
_HALF_CENT = Decimal("0.005")

Mode = Literal["majoration", "minoration"]
Rounding = Literal["cent", "euro"]

_MODES = ("majoration", "minoration")
_ROUNDINGS = ("cent", "euro")

# Every computation runs in a private context, whatever the caller set globally: enough precision
# that an inexact division can never flip a cent, and traps so a bad operand fails loudly. The hot
# paths call its methods (`_CONTEXT.divide(a, b)`) rather than entering it with `localcontext`:
# the same arithmetic, without the cost of switching contexts, and safe inside generators (a
# `localcontext` held across a `yield` would leak into the caller's arithmetic).
_CONTEXT = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
# The same, rounding towards +∞: for thresholds that must not fall below their exact value.
_CEILING = Context(
    prec=50,
    rounding=ROUND_CEILING,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def _to_decimal(amount: object, what: str) -> Decimal:
    """Convert ``amount`` to a finite Decimal, refusing bools and any float that is not short.

    A float is accepted only through its shortest repr (``19.99`` → ``Decimal("19.99")``), so the
    binary noise of ``0.1 + 0.2`` shows up as extra decimals rather than being silently rounded.
    """
    if isinstance(amount, bool):
        raise ValueError(f"{what} must be a number, not a boolean")
    if isinstance(amount, Decimal):
        d = amount
    elif isinstance(amount, int):
        d = Decimal(amount)
    elif isinstance(amount, float):
        d = Decimal(repr(amount))
    elif isinstance(amount, str):
        try:
            d = Decimal(amount.strip())
        except InvalidOperation:
            raise ValueError(f"{what} is not a number: {amount!r}") from None
    else:
        raise ValueError(f"{what} must be a number, not {type(amount).__name__}")
    if not d.is_finite():
        raise ValueError(f"{what} must be finite, not {amount!r}")
    return d


def money(amount: object) -> Decimal:
    """Parse ``amount`` (int, str, Decimal, or a short float) to a Decimal with exactly 2 places.

    Raises ValueError for anything that is not an amount of money: booleans, NaN and infinities,
    negative numbers, more than two (significant) decimals, unparsable strings, other types.
    ``"19.990"`` is accepted (it is 19.99); ``"19.999"`` and ``0.1 + 0.2`` are refused rather than
    rounded, because silently rounding money is how cents go missing.
    """
    d = _to_decimal(amount, "amount")
    if d < 0:
        raise ValueError(f"amount must not be negative: {amount!r}")
    if d.is_zero():
        return ZERO_MONEY  # also turns -0 into 0.00
    with localcontext(_CONTEXT):
        try:
            q = d.quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValueError(f"amount is too large: {amount!r}") from None
    if q != d:
        raise ValueError(f"amount has more than 2 decimals: {amount!r}")
    return q


def rate(value: object) -> Decimal:
    """Parse a tier rate (``"0.08"``, ``Decimal("0.08")``, ``0``) to a Decimal in [0, 1).

    Raises ValueError for booleans, NaN and infinities, unparsable strings, other types and rates
    outside [0, 1). The rate keeps the decimals it was given (``"0.075"`` stays 0.075).
    """
    r = _to_decimal(value, "rate")
    if not (0 <= r < 1):
        raise ValueError(f"rate must be in [0, 1): {value!r}")
    return r


def _as_amount(amount: object) -> Decimal | None:
    """A positive 2-place amount, or None when ``amount`` cannot be one (used by the quote
    functions, which answer "no quote" rather than raise for an impossible amount)."""
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"amount must be a Decimal or an int, not {type(amount).__name__}")
    try:
        m = money(amount)
    except ValueError:
        return None
    return m if m > 0 else None


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    """From ``start`` (a price, inclusive) onwards, the campaign applies ``rate``."""

    start: Decimal  # the converted amount (the PRICE) from which this rate applies, inclusive
    rate: Decimal  # e.g. Decimal("0.08"); 0 <= rate < 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", money(self.start))
        object.__setattr__(self, "rate", rate(self.rate))


@dataclass(frozen=True)
class PricingRule:
    """A campaign's pricing for one mode: its tiers and its rounding rule.

    ``rounding`` applies to prices computed from a value: ``"cent"`` rounds half up to the cent,
    ``"euro"`` rounds up to the whole euro. Values computed from a price are always rounded down
    to the cent (the store never funds more than the rate says).
    """

    mode: Mode
    tiers: tuple[Tier, ...]  # sorted by start ascending by the constructor
    rounding: Rounding = "cent"
    # Worked out once per rule for `_quote_value`, which runs once per accepted value: each
    # tier's (1 + r) (majoration: the price is V / (1 + r)) or (1 − r) (minoration: V × (1 − r)),
    # and the value from which the tier's price is certainly at or above the next tier's start
    # (None for the last tier), so such a tier is passed over without dividing.
    _scales: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)
    _skip_from: tuple[Decimal | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}: {self.mode!r}")
        if self.rounding not in _ROUNDINGS:
            raise ValueError(f"rounding must be one of {_ROUNDINGS}: {self.rounding!r}")
        tiers = tuple(self.tiers)
        if not tiers:
            raise ValueError("a pricing rule needs at least one tier")
        for tier in tiers:
            if not isinstance(tier, Tier):
                raise TypeError(f"tiers must be Tier objects, not {type(tier).__name__}")
        tiers = tuple(sorted(tiers, key=lambda t: t.start))
        starts = tuple(t.start for t in tiers)
        if len(set(starts)) != len(starts):
            raise ValueError(f"tier starts must be distinct: {[str(s) for s in starts]}")
        object.__setattr__(self, "tiers", tiers)
        majoration = self.mode == "majoration"
        scales = tuple(
            _CONTEXT.add(ONE, t.rate) if majoration else _CONTEXT.subtract(ONE, t.rate)
            for t in tiers
        )
        object.__setattr__(self, "_scales", scales)
        # Tier i's candidate is the computed V / (1 + r) or V × (1 − r), rounded, then raised to
        # the tier's start. Once that computed amount is >= next_start − ½ cent, rounding it half
        # up to the cent, or up to the euro, gives >= next_start (prices are whole cents), and
        # raising only adds: the tier is invalid. The computed amount is the exact one rounded
        # to 50 digits, a monotone rounding that keeps next_start − ½ cent exactly, so that
        # happens for every V >= (next_start − ½ cent) × (1 + r), or / (1 − r), rounded up.
        skip_from: list[Decimal | None] = []
        for scale, following in zip(scales, tiers[1:], strict=False):
            floor = _CONTEXT.subtract(following.start, _HALF_CENT)
            skip_from.append(
                _CEILING.multiply(floor, scale) if majoration else _CEILING.divide(floor, scale)
            )
        skip_from.append(None)
        object.__setattr__(self, "_skip_from", tuple(skip_from))


@dataclass(frozen=True)
class AcceptedValues:
    """The voucher values a store accepts: either a discrete set, or minimum..maximum by step.

    When ``discrete`` is non-empty it is the whole truth and the range fields are ignored.
    Otherwise the accepted values are ``minimum + k × step`` (k ≥ 0) up to ``maximum``;
    a missing ``minimum`` means "from one step" (``step, 2 × step, …``) and a missing
    ``maximum`` means no upper bound. Amounts are normalised to 2-place Decimals.
    """

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal = CENT
    discrete: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        discrete = tuple(sorted({money(v) for v in self.discrete}))
        if any(v <= 0 for v in discrete):
            raise ValueError("discrete voucher values must be positive")
        object.__setattr__(self, "discrete", discrete)
        step = money(self.step)
        if step <= 0:
            raise ValueError("step must be positive")
        object.__setattr__(self, "step", step)
        minimum = None if self.minimum is None else money(self.minimum)
        maximum = None if self.maximum is None else money(self.maximum)
        object.__setattr__(self, "minimum", minimum)
        object.__setattr__(self, "maximum", maximum)
        if discrete:
            return
        if minimum is not None and minimum <= 0:
            raise ValueError("minimum must be positive")
        if maximum is not None and maximum < self._first:
            raise ValueError("maximum is below the smallest accepted value")

    @property
    def _first(self) -> Decimal:
        return self.minimum if self.minimum is not None else self.step

    def contains(self, value: Decimal) -> bool:
        try:
            v = money(value)
        except ValueError:
            return False
        if self.discrete:
            return v in self.discrete
        first = self._first
        if v < first or (self.maximum is not None and v > self.maximum):
            return False
        return (v - first) % self.step == 0

    def up_to(self, limit: Decimal) -> Iterator[Decimal]:
        """The accepted values <= ``limit``, ascending."""
        if self.discrete:
            for v in self.discrete:
                if v > limit:
                    return
                yield v
            return
        last = limit if self.maximum is None else min(limit, self.maximum)
        v, step = self._first, self.step
        while v <= last:  # adding 2-place amounts at 50 digits is exact: no drift
            yield v
            v = _CONTEXT.add(v, step)

    def down_from(self, limit: Decimal) -> Iterator[Decimal]:
        """The accepted values <= ``limit``, descending: ``up_to(limit)`` reversed, lazily."""
        if self.discrete:
            for v in reversed(self.discrete[: bisect.bisect_right(self.discrete, limit)]):
                yield v
            return
        first, step = self._first, self.step
        last = limit if self.maximum is None else min(limit, self.maximum)
        if last < first:
            return
        # The largest first + k × step <= last, exactly (k is a whole number).
        k = _CONTEXT.divide_int(_CONTEXT.subtract(last, first), step)
        v = _CONTEXT.add(first, _CONTEXT.multiply(k, step))
        while v >= first:
            yield v
            v = _CONTEXT.subtract(v, step)


# --------------------------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    mode: Mode
    price: Decimal  # what the user converts (paid by the partner)
    value: Decimal  # what the voucher is worth
    rate: Decimal  # the tier rate applied

    @property
    def bonus(self) -> Decimal:
        """What the store funds."""
        return self.value - self.price


def _round_price(price: Decimal, rounding: Rounding) -> Decimal:
    if rounding == "euro":
        whole = price.quantize(ONE, rounding=ROUND_CEILING, context=_CONTEXT)
        return whole.quantize(CENT, context=_CONTEXT)
    return price.quantize(CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def _quote_value(rule: PricingRule, v: Decimal) -> Quote | None:
    """quote_for_value for an already-validated positive 2-place value (the hot loop)."""
    tiers = rule.tiers
    scales = rule._scales
    skip_from = rule._skip_from
    majoration = rule.mode == "majoration"
    # The tier ranges [start_t, start_t+1) are disjoint and ascending, so the first valid
    # candidate is the cheapest one.
    for i, tier in enumerate(tiers):
        if tier.start > v:
            break  # its price would be at least its start, hence above the value
        skip = skip_from[i]  # None for the last tier
        if skip is not None and v >= skip:
            continue  # its price would be at or above the next start (see PricingRule)
        if majoration:
            exact = _CONTEXT.divide(v, scales[i])  # V / (1 + r)
        else:
            exact = _CONTEXT.multiply(v, scales[i])  # V × (1 − r)
        p = _round_price(exact, rule.rounding)
        if p < tier.start:
            p = tier.start  # the value falls in a gap: the user pays this tier's floor
        if skip is not None and p >= tiers[i + 1].start:
            continue  # belongs to a later tier
        if p <= 0 or p > v:
            continue
        return Quote(rule.mode, p, v, tier.rate)
    return None


def quote_for_value(rule: PricingRule, value: Decimal) -> Quote | None:
    """The cheapest price at which a voucher worth ``value`` is consistent with the tiers.

    For each tier t, the candidate price is V / (1 + r_t) (majoration) or V × (1 − r_t)
    (minoration), rounded by the rule, raised to start_t when below it (a value in the gap between
    two tiers costs the higher tier's start). A candidate counts only if it lies inside its tier's
    range, is positive and is no more than the value. None when no tier gives one, or when
    ``value`` is not a positive amount of at most 2 decimals.
    """
    v = _as_amount(value)
    if v is None:
        return None
    return _quote_value(rule, v)


def _price_rises_from(rule: PricingRule, value: Decimal) -> bool:
    """Whether quote_for_value's price is non-decreasing over the values >= ``value``.

    Proof: the chosen tier is the lowest valid one, and candidates of different tiers lie in
    disjoint ascending ranges. Within one tier the candidate is non-decreasing in V. If a larger
    value V2 chose a lower tier t2 than a smaller value V1 did (tier t1), then t2 was already
    valid at V1: its candidate there is no larger (so still below start of t2+1 <= start of
    t1 <= price(V1) <= V1). The one exception is the "price > 0" test: in minoration with cent
    rounding, a first tier starting at 0 prices a value V at 0.00 while V × (1 − r) < ½ cent
    (only possible when r > 50 %), so those smallest values may be quoted by a later tier at a
    higher price than slightly larger values get. Past them, the price never decreases again.
    """
    first = rule.tiers[0]
    if rule.mode == "majoration" or rule.rounding == "euro" or first.start > 0:
        return True  # every candidate is then at least one cent
    return _CONTEXT.multiply(value, rule._scales[0]) >= _HALF_CENT  # V × (1 − r)


def _value_bound(rule: PricingRule, budget: Decimal) -> Decimal | None:
    """A value above which no price is within ``budget``; None when no price can be.

    A value V quoted in tier t costs a price P with start_t <= P <= budget and P < start_t+1,
    hence P <= cap_t = min(budget, start_t+1 − 1 cent) (prices are whole cents); only tiers
    starting within the budget count. P is at least the computed amount (V / (1 + r_t) or
    V × (1 − r_t)) less ½ cent (rounding half up to the cent; rounding up to the euro or raising
    to the tier start only adds), so V <= (cap_t + ½ cent) × (1 + r_t), or / (1 − r_t). The bound
    is the largest of these, rounded up, plus one cent of slack for the computed amount's own
    rounding to 50 digits. Tighter than applying the largest rate to the whole budget when a
    higher tier has a lower rate.
    """
    tiers = rule.tiers
    majoration = rule.mode == "majoration"
    bound = None
    for i, tier in enumerate(tiers):
        if tier.start > budget:
            break
        cap = (
            budget
            if i + 1 == len(tiers)
            else min(budget, _CONTEXT.subtract(tiers[i + 1].start, CENT))
        )
        ceiling = _CEILING.add(cap, _HALF_CENT)
        scale = rule._scales[i]
        limit = _CEILING.multiply(ceiling, scale) if majoration else _CEILING.divide(ceiling, scale)
        if bound is None or limit > bound:
            bound = limit
    return None if bound is None else _CEILING.add(bound, CENT)


def _as_budget(budget: object) -> Decimal | None:
    """The budget as a Decimal, or None when it buys nothing (not finite, not positive)."""
    if isinstance(budget, bool) or not isinstance(budget, (Decimal, int)):
        raise TypeError(f"budget must be a Decimal or an int, not {type(budget).__name__}")
    budget = Decimal(budget)
    if not budget.is_finite() or budget <= 0:
        return None
    return budget


def proposed_quotes(rule: PricingRule, accepted: AcceptedValues, budget: Decimal) -> list[Quote]:
    """Every accepted value the ``budget`` can buy, with its quote, ascending by value."""
    budget = _as_budget(budget)
    bound = None if budget is None else _value_bound(rule, budget)
    if bound is None:
        return []
    quotes = []
    for value in accepted.up_to(bound):
        quote = _quote_value(rule, value)
        if quote is None:
            continue
        if quote.price > budget:
            if _price_rises_from(rule, value):
                break  # every larger value costs at least as much
            continue
        quotes.append(quote)
    return quotes


def proposed_quotes_descending(
    rule: PricingRule, accepted: AcceptedValues, budget: Decimal
) -> Iterator[Quote]:
    """``proposed_quotes`` highest value first, computed lazily: the first is the best quote.

    The accepted values are walked down from `_value_bound`, so the best quote costs a few
    quotes near the bound instead of one per accepted value from the smallest up, and a caller
    with a further condition (the campaign's remaining bonus) stops at the first that meets it.
    The walk ends below the first tier's start: no price can be lower, and a price is never
    above its value.
    """
    budget = _as_budget(budget)  # outside the generator: a bad budget fails at once
    bound = None if budget is None else _value_bound(rule, budget)
    if bound is None:
        return iter(())
    return _descending(rule, accepted, budget, bound)


def quote_for_listed_price(
    rule: PricingRule, accepted: AcceptedValues, price: Decimal
) -> Quote | None:
    """The voucher a price buys when reserving by price: the largest accepted value listed at
    exactly that price, or None.

    Prices are rounded (to the cent, or up to the euro), so P × (1 + rate) need not land back on
    the value listed at P (96.33 € × 1.09 = 104.9997 €, listed as a 105 € voucher; 98 € rounded
    up from 97.09 € lists a 100 € voucher). Searching the listed quotes keeps a reservation by
    price consistent with the store list and the proposed vouchers, whatever the rounding.
    """
    if not isinstance(price, Decimal) or not price.is_finite() or price <= 0:
        return None
    for quote in proposed_quotes_descending(rule, accepted, price):
        if quote.price == price:  # walking down: the first one listed at P is the largest
            return quote
    return None


def _descending(
    rule: PricingRule, accepted: AcceptedValues, budget: Decimal, bound: Decimal
) -> Iterator[Quote]:
    lowest = rule.tiers[0].start
    for value in accepted.down_from(bound):
        if value < lowest:
            return
        quote = _quote_value(rule, value)
        if quote is not None and quote.price <= budget:
            yield quote


# --------------------------------------------------------------------------------------------
# What a user is offered
# --------------------------------------------------------------------------------------------

_Item = TypeVar("_Item")


def best_deals(
    items: Iterable[_Item], quote_of: Callable[[_Item], Quote] = lambda item: item
) -> list[_Item]:
    """The quotes worth offering a user, ascending by value: those no other quote beats.

    A quote is beaten when another gives at least its value for at most its price. The rule
    exists for the values between two tiers: at +8 % below 100 € and +10 % from 100 €, the
    108 €, 109 € and 110 € vouchers all cost 100 € (a value in the gap costs the higher tier's
    start), and a list offering all three lets the user pay 110 €'s price for a 108 € voucher.
    Within one offer, whose price never falls as the value rises (`_price_rises_from`), it
    reads: among the values with the same price, only the largest is offered. The largest,
    because it is the one the store's published rate gives for that price (100 € at +10 %),
    the smaller ones only exist because rounding up to the tier's start made them cost as much,
    and it is the one a reservation by that price buys (`quote_for_listed_price`). Across the
    offers of one store (a mixed campaign's two modes) the same rule also drops a value that
    another offer sells for less.

    ``items`` are quotes, or anything holding one (``quote_of`` finds it: an offer and its
    quote). Of two items with the same value and the same price, the first given is kept, so
    callers decide ties by their order. Filter first what the user cannot take (a bonus the
    campaign can no longer fund): a quote nobody may take beats nothing.
    """
    # Highest value first, then cheapest, then as given (sorted is stable): an item is kept
    # when it is strictly cheaper than every item before it, i.e. than every item giving at
    # least its value.
    ordered = sorted(items, key=lambda item: (-quote_of(item).value, quote_of(item).price))
    kept: list[_Item] = []
    cheapest: Decimal | None = None
    for item in ordered:
        price = quote_of(item).price
        if cheapest is None or price < cheapest:
            kept.append(item)
            cheapest = price
    kept.reverse()
    return kept
