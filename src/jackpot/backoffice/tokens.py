"""Operator admin: conversion sessions and token burns, read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit, lists
from jackpot.tokens.models import Session, TokenBurn


@admin.register(Session)
class SessionAdmin(lists.BigList, kit.ReadOnlyAdmin):
    list_display = [
        "id",
        "partner",
        "amount",
        "notification_key",
        "user_id",
        "created_at",
        "expires_at",
        "closed_at",
    ]
    list_filter = ["partner", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["=id", "=notification_key"]
    search_help_text = _("An exact session id or notificationKey (several: separated by spaces).")
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]  # index session_created
    sortable_by = ["created_at"]
    list_select_related = ["partner"]
    exclude = ["credential_digest"]


@admin.register(TokenBurn)
class TokenBurnAdmin(lists.BigList, kit.ReadOnlyAdmin):
    list_display = ["digest", "partner", "burned_at"]
    list_filter = ["partner"]
    search_fields = ["=digest"]
    search_help_text = _("A token's exact digest: the SHA-256 of its header.payload, in hex.")
    date_hierarchy = "burned_at"
    ordering = ["-burned_at", "-id"]  # the burned_at index
    sortable_by = ["burned_at"]
    list_select_related = ["partner"]
