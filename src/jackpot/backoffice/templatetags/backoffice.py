"""Filters of the admin's own pages (`{% load backoffice %}`)."""

from django import template

from jackpot.core import formatting

register = template.Library()


@register.filter
def money(value, currency="EUR"):
    """An amount with its currency in the active language (`12,50 €` in French)."""
    return formatting.money(value, currency or "EUR")
