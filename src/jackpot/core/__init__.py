"""Pieces every context shares: problem errors and money/date formats."""
