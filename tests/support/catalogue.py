"""The pool store tests add to the small catalogue: "halles", whose codes come from a pool."""


def pool_store(codes: list[dict], values=(20, 50, 70), rate: str = "0.06", **more) -> dict:
    """The store as a catalogue file holds it, with the codes, values and bonus a test needs."""
    return {
        "id": "halles",
        "name": "Primeur des Halles",
        "voucherPossibleDiscreteValues": list(values),
        "codeSource": "pool",
        **more,
        "codes": codes,
        "campaigns": [
            {
                "id": "halles-saison",
                "mode": "majoration",
                "tiers": [{"from": 0, "rate": rate}],
                "start": "2026-01-01T00:00:00Z",
            }
        ],
    }
