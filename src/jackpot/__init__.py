"""Jackpot: partners' users convert an amount they hold into a store voucher worth more."""

__version__ = "0.1.0"
