"""Filters and tags of the admin's own pages (`{% load backoffice %}`)."""

from django import template

from jackpot.backoffice import lists
from jackpot.core import formatting

register = template.Library()


@register.filter
def money(value, currency="EUR"):
    """An amount with its currency in the active language (`12,50 €` in French)."""
    return formatting.money(value, currency or "EUR")


@register.inclusion_tag("admin/date_hierarchy.html")
def calendar_hierarchy(cl):
    """The date hierarchy of a big list, from the calendar (`backoffice.lists`)."""
    return lists.calendar_hierarchy(cl)
