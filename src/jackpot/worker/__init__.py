"""The background worker: `loop` makes one pass after another, `supervisor` runs several loops
as processes side by side (`jackpot worker [--processes N]`)."""
