"""Changelists of the tables that grow without end (vouchers, their journal, codes, sessions, token
burns, notifications, deliveries, delivery jobs, ledger transactions): every page costs the same
at ten million rows as at ten thousand (issue 18).

Left alone, Django's admin counts every row of the list twice, sorts by whichever column is
clicked, lists the date hierarchy's years, months and days with a `DISTINCT` over the rows, and
so does a filter on a column without `choices`. A `BigList` admin instead:

- counts at most `BoundedPaginator.bound` rows (`COUNT` over a `LIMIT`): its pages reach the
  `bound` first rows of the list in its order, and the deepest page reads no more than `bound`
  rows whatever the table's size. The rest is found by narrowing the list: filters, the date
  hierarchy, the search. PostgreSQL's estimate of the table's size is shown beside it;
- sorts only by `sortable_by`, columns an index reads in order (a crafted `?o=` naming another
  column is ignored), its newest rows first by default, ties broken in the same direction so
  that one index serves both;
- builds the date hierarchy from the calendar between the table's first and last dates (two
  index probes), not from the dates its rows hold; a chosen year, month or day is a range of
  that index;
- filters with choices fixed in the code (`choices_filter`, or the field's own `choices`), or
  over a small table (partners, stores);
- searches exact keys, each through its index (`backoffice.search`);
- acts on "all N selected" only when N is counted: past the bound, select fewer rows first;
  and offers no "Show all".
"""

from calendar import monthrange
from datetime import date, datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import InvalidPage, Paginator
from django.db import connections, router
from django.db.models import Max, Min
from django.http import HttpResponseRedirect
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext

from jackpot.backoffice import search


class BoundedPaginator(Paginator):
    """Pages over the first `bound` rows of a list, counted with `LIMIT bound + 1`."""

    bound = 10_000

    @cached_property
    def _seen(self) -> int:
        return self.object_list.order_by().values("pk")[: self.bound + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._seen, self.bound)

    @cached_property
    def capped(self) -> bool:
        """More rows than `bound` match: the pages show the `bound` first."""
        return self._seen > self.bound

    @cached_property
    def estimate(self) -> int | None:
        """About how many rows the table holds, for a list past the bound that no filter or search
        narrows: PostgreSQL's statistics (`reltuples`), not a count. None elsewhere (SQLite)."""
        if not self.capped or self.object_list.query.where:
            return None
        return table_estimate(self.object_list.model)


def table_estimate(model) -> int | None:
    """The planner's estimate of the rows of `model`'s table (None before its first ANALYZE)."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


def choices_filter(field: str, title, choices) -> type[admin.SimpleListFilter]:
    """A list filter on `field` offering `choices` ((value, label) pairs) as the code knows them.

    Django's filter on a column without `choices` lists the values the rows hold, with a
    `DISTINCT` over all of them; the values these columns may hold are known in the code.
    """

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    ChoicesFilter.title = title
    return ChoicesFilter


class BigChangeList(ChangeList):
    bounded_dates = True  # the change list template draws `calendar_hierarchy`, not Django's

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None  # neither a header link nor a hand-written `?o=` sorts by it
        return super().get_ordering_field(field_name)

    def get_ordering(self, request, queryset):
        """One column, ties broken by the primary key in the same direction: an index on
        `(column, id)` (or the primary key's) read forwards or backwards. Django would add the
        admin's default ordering behind a clicked column, and break ties with `-pk` whatever
        the direction: orders no index reads."""
        lead = super().get_ordering(request, queryset)[0]
        if lead.lstrip("-") in ("pk", self.lookup_opts.pk.name):
            return [lead]
        return [lead, "-pk" if lead.startswith("-") else "pk"]

    def get_results(self, request):
        """Django's, less its second count and its "Show all" (every row of the table)."""
        self.paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        try:
            self.result_list = self.paginator.page(self.page_num).object_list
        except InvalidPage as exc:
            raise IncorrectLookupParameters from exc
        self.result_count = self.paginator.count
        self.multi_page = self.paginator.num_pages > 1
        self.show_all = self.can_show_all = self.show_full_result_count = False
        self.show_admin_actions = True
        # The search bar says "N results" unless both counts match: past the bound, the
        # paginator's line says "the first N" instead.
        self.full_result_count = self.result_count if self.paginator.capped else None


class BigList:
    """Mixed into the `ModelAdmin` of a table that grows (before `admin.ModelAdmin`)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facets count every choice over every row
    paginator = BoundedPaginator
    sortable_by = ()  # the columns an index reads in order, named by each admin

    def get_changelist(self, request, **kwargs):
        return BigChangeList

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        return search.exact(queryset, fields, search_term, self.paginator.bound), False

    def response_action(self, request, queryset):
        across = forms.BooleanField(required=False).to_python(request.POST.get("select_across"))
        if across and self.get_paginator(request, queryset, self.list_per_page).capped:
            messages.error(
                request,
                gettext("More than %(n)d rows match: narrow the list before acting on all of them.")
                % {"n": self.paginator.bound},
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


def calendar_hierarchy(cl) -> dict:
    """The context of admin/date_hierarchy.html for `cl`, drawn from the calendar.

    The years run from the table's first date to its last (two index probes), the months and
    days are the calendar's within them: a link may lead to an empty page, a small price for not
    reading the rows. As Django's, a list within one year opens on its months, and so on.
    """
    name = cl.date_hierarchy
    year, month, day = (cl.params.get(f"{name}__{part}") for part in ("year", "month", "day"))
    first, last = _date_range(cl)
    if first is None:
        return {"show": False}

    def link(**parts):
        return cl.get_query_string({f"{name}__{k}": v for k, v in parts.items()}, [f"{name}__"])

    if not year and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month
    if year and month and day:
        moment = date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {"link": link(year=year, month=month), "title": _title(moment, "YEAR_MONTH")},
            "choices": [{"title": _title(moment, "MONTH_DAY")}],
        }
    if year and month:
        year, month = int(year), int(month)
        days = _within(first, last, (year, month), range(1, monthrange(year, month)[1] + 1))
        return {
            "show": True,
            "back": {"link": link(year=year), "title": str(year)},
            "choices": [
                {
                    "link": link(year=year, month=month, day=d),
                    "title": _title(date(year, month, d), "MONTH_DAY"),
                }
                for d in days
            ],
        }
    if year:
        year = int(year)
        return {
            "show": True,
            "back": {"link": link(), "title": gettext("All dates")},
            "choices": [
                {"link": link(year=year, month=m), "title": _title(date(year, m, 1), "YEAR_MONTH")}
                for m in _within(first, last, (year,), range(1, 13))
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link(year=y), "title": str(y)} for y in range(first.year, last.year + 1)
        ],
    }


def _date_range(cl) -> tuple:
    """The first and last dates of the whole table (each the end of the field's index)."""
    span = cl.root_queryset.order_by().aggregate(
        first=Min(cl.date_hierarchy), last=Max(cl.date_hierarchy)
    )
    first, last = span["first"], span["last"]
    if first is None:
        return None, None
    if isinstance(first, datetime) and timezone.is_aware(first):
        first, last = timezone.localtime(first), timezone.localtime(last)
    return first, last


def _within(first, last, prefix: tuple, units) -> list[int]:
    """The `units` (months of a year, days of a month) between `first` and `last`."""
    low = (first.year, first.month, first.day)[: len(prefix) + 1]
    high = (last.year, last.month, last.day)[: len(prefix) + 1]
    return [unit for unit in units if low <= (*prefix, unit) <= high]


def _title(moment: date, fmt: str) -> str:
    return capfirst(formats.date_format(moment, f"{fmt}_FORMAT"))
