"""Abuse limits per partner: what each userId and client address used, and what was refused."""
