"""Running balances: moved with each posting, and proven equal to the sums of the entries.

`move` is called by `services.post` only, in the posting's database transaction, so a balance
and the entries it adds up commit or roll back together. `mismatches` reads the whole ledger to
prove it: an operator's check (`jackpot check --ledger`), never a request's.
"""

from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, Sum, Window

from jackpot.core.money import exact, in_cents
from jackpot.ledger.models import Account, Balance, Entry


def lane_of(account: Account, lane: str) -> str:
    """The row of `account` a posting about `lane` (a partner id, or "") moves.

    A partner's wallet has one row, its partner's, whatever the posting says; the shared
    accounts (platform, bank) have one per partner whose money moved through them.
    """
    return account.partner_id or lane


def _upsert_sql(rows: int) -> str:
    quote = connection.ops.quote_name
    table, account, lane, amount = (
        quote(name) for name in (Balance._meta.db_table, "account_id", "lane", "amount")
    )
    values = ", ".join(["(%s, %s, %s)"] * rows)
    # Rounded to the cent in the statement: SQLite adds DECIMAL columns as floats (core.money).
    insert = f"INSERT INTO {table} ({account}, {lane}, {amount}) VALUES {values}"  # noqa: S608 - quoted names from the model, values bound
    return (
        f"{insert} ON CONFLICT ({account}, {lane}) "
        f"DO UPDATE SET {amount} = ROUND({table}.{amount} + excluded.{amount}, 2) "
        f"RETURNING {account}, {amount}"
    )


def move(legs: list[tuple[Account, Decimal]], lane: str) -> dict[int, Decimal]:
    """Add each leg's amount to its account's row for `lane`, in one statement.

    Gives each wallet's balance after the move, by account id (`Entry.balance_after`).

    The rows are written (so locked) wallets first, then by account id: every posting takes
    them in that order, and a wallet's debit already holds its wallet's row before it posts
    (`services.debit_wallet_if_covered`), so two postings never wait for each other in a cycle.
    """
    moves: dict[tuple[bool, int, str], Decimal] = {}
    for account, amount in legs:
        key = (account.partner_id is None, account.pk, lane_of(account, lane))
        moves[key] = moves.get(key, Decimal("0")) + amount
    params: list = []
    for key in sorted(moves):
        params.extend([key[1], key[2], moves[key]])
    wallets = {account.pk for account, _ in legs if account.partner_id}
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(len(moves)), params)
        return {pk: exact(after) for pk, after in cursor.fetchall() if pk in wallets}


def _totals(model) -> dict[int, Decimal]:
    grouped = model.objects.order_by().values_list("account_id").annotate(total=Sum("amount"))
    return {account_id: exact(total) for account_id, total in grouped}


def mismatches() -> list[str]:
    """Every way the kept balances disagree with the entries, named; empty when they agree.

    - each account's balance (the sum of its rows) is the sum of its entries;
    - a wallet's only row is its partner's; neither it nor the wallet's entries are negative;
    - each wallet entry's `balance_after` is its wallet's entries summed up to it in id order,
      and is never negative: the wallet was never overdrawn, not even for a moment;
    - all entries together sum to zero (every transaction balances).
    """
    kept, summed = _totals(Balance), _totals(Entry)
    accounts = {a.pk: a for a in Account.objects.all()}
    problems = [
        f"{accounts[pk].code}: balance {kept.get(pk, Decimal('0.00'))}, "
        f"entries sum to {summed.get(pk, Decimal('0.00'))}"
        for pk in sorted(kept.keys() | summed.keys())
        if kept.get(pk, 0) != summed.get(pk, 0)
    ]
    for account_id, lane in Balance.objects.filter(account__partner__isnull=False).values_list(
        "account_id", "lane"
    ):
        if lane != accounts[account_id].partner_id:
            problems.append(f"{accounts[account_id].code}: a balance row for lane {lane!r}")
    wallets = [pk for pk in sorted(kept.keys() | summed.keys()) if accounts[pk].partner_id]
    for pk in wallets:  # by its kept balance or by its entries
        lowest = min(kept.get(pk, Decimal("0.00")), summed.get(pk, Decimal("0.00")))
        if lowest < 0:
            problems.append(f"{accounts[pk].code} overdrawn: {lowest}")
    problems += [_chain_problem(*row) for row in _broken_chain(limit=20)]
    everything = sum(summed.values(), Decimal("0.00"))
    if everything != 0:
        problems.append(f"the entries sum to {everything}, not 0")
    return problems


def _broken_chain(limit: int) -> list[tuple]:
    """Wallet entries whose `balance_after` is not the running sum of their wallet's entries."""
    running = Window(Sum("amount"), partition_by=[F("account_id")], order_by=F("id").asc())
    return list(
        Entry.objects.filter(account__partner__isnull=False)
        .annotate(running=in_cents(running))
        .filter(
            Q(balance_after__isnull=True) | Q(balance_after__lt=0) | ~Q(balance_after=F("running"))
        )
        .order_by("id")
        .values_list("account__code", "id", "balance_after", "running")[:limit]
    )


def _chain_problem(code: str, entry_id: int, after, running) -> str:
    running = exact(running)
    if after is None:
        return f"{code}: entry {entry_id} has no balance after it (the entries say {running})"
    if after != running:
        return (
            f"{code}: entry {entry_id} says the balance became {after}, the entries say {running}"
        )
    return f"{code}: entry {entry_id} left the wallet at {after}, below zero"
