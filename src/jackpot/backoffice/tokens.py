"""Operator admin: conversion sessions and token burns, read-only."""

from django.contrib import admin

from jackpot.backoffice import kit
from jackpot.tokens.models import Session, TokenBurn


@admin.register(Session)
class SessionAdmin(kit.ReadOnlyAdmin):
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
    search_fields = ["=id", "notification_key", "user_id"]
    date_hierarchy = "created_at"
    exclude = ["credential_digest"]


@admin.register(TokenBurn)
class TokenBurnAdmin(kit.ReadOnlyAdmin):
    list_display = ["digest", "partner", "burned_at"]
    list_filter = ["partner"]
    search_fields = ["digest"]
    date_hierarchy = "burned_at"
