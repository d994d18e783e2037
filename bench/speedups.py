"""A/B of the speed-ups that lean on libraries' private internals: each one's gain, measured in one run.

One gunicorn serves the code as it ships; beside it, one gunicorn per speed-up with just that one turned
off (LEXHUB_SPEEDUPS_OFF, or LEXHUB_PREPARED_STATEMENTS=false). In each round every speed-up's server gets
a batch of API requests right beside a batch of the shipped one (the others idle), the gain is taken within
that pair, and the row is the median over the rounds. The figure is CPU per request (gunicorn workers +
PostgreSQL), which on a CPU-bound server is what throughput divides; its gain is cost without ÷ cost with
- 1. A speed-up whose gain stays under 10 % does not earn its reliance on internals (issue #17) and goes.
"""

import statistics
from contextlib import ExitStack

from django.contrib.auth import get_user_model
from django.db import connection as db

from bench import dataset, env
from bench.lists_api import CLIENTS
from bench.load import load
from bench.rows import Row
from bench.server import api_token, cpu_by_process, cpu_spent, gunicorn, postgres_pids

# name -> (environment that turns it off, the request whose cost it cuts)
WALK = "/api/v1/vouchers/"
SPEEDUPS: dict[str, tuple[dict[str, str], str]] = {
    "compiled walks": ({"LEXHUB_SPEEDUPS_OFF": "compiled_walks"}, WALK),
    "prepared statements": ({"LEXHUB_PREPARED_STATEMENTS": "false"}, WALK),
    "token + connections in one query": ({"LEXHUB_SPEEDUPS_OFF": "token_query"}, WALK),
    "C timestamp loader": ({"LEXHUB_SPEEDUPS_OFF": "utc_loader"}, WALK),
}
MIN_GAIN = 0.10
WORKERS = 1


def _cost(server, path: str, headers: dict, count: int) -> float:
    """CPU ms per request of the server's workers and PostgreSQL for one batch."""
    database = db.settings_dict["NAME"]
    before = cpu_by_process(server.worker_pids() + postgres_pids(database))
    result = load(
        {
            "rate": 0,
            "concurrency": CLIENTS,
            "requests": [{"method": "GET", "url": f"{server.base_url}{path}", "headers": headers}] * count,
        }
    )
    if result["statuses"].get("200", 0) != count:
        raise RuntimeError(f"{server.base_url}{path}: {result['statuses']}")
    spent = cpu_spent(before, server.worker_pids() + postgres_pids(database))
    return spent / count * 1000


def run(quick: bool) -> list[Row]:
    if not env.is_postgresql():
        print("   speedups: needs PostgreSQL (the lists data set)")
        return [Row("speedups: PostgreSQL available", 1, 0, "bool", higher_is_better=True)]
    data = (
        dataset.ensure(contacts=2_000, vouchers=20_000)
        if quick
        else dataset.ensure(contacts=100_000, vouchers=1_000_000)
    )
    user = get_user_model().objects.get(pk=data.owner_id)
    headers = {"Authorization": f"Token {api_token(user)}", "Accept": "application/json"}
    count, rounds = (400, 7) if quick else (1000, 7)
    base_env = {"LEXHUB_API_THROTTLE": "100000000/hour"}
    rows = []
    with ExitStack() as stack:
        shipped = stack.enter_context(gunicorn(workers=WORKERS, env_extra=base_env))
        without = {
            name: stack.enter_context(gunicorn(workers=WORKERS, env_extra={**base_env, **off}))
            for name, (off, _path) in SPEEDUPS.items()
        }
        servers = [("shipped", shipped), *without.items()]
        for name, server in servers:  # warm-up: connections open, walks compiled, statements prepared
            _cost(server, WALK if name == "shipped" else SPEEDUPS[name][1], headers, 60)
        # Paired batches: each speed-up's server right beside a batch of the shipped one (in turn first and
        # second), the gain taken within the pair. Medians of each server's batches taken apart moved by 10 %
        # between runs as the machine's neighbours came and went, more than the gains they judge.
        gains: dict[str, list[float]] = {name: [] for name in SPEEDUPS}
        costs: dict[str, list[tuple[float, float]]] = {name: [] for name in SPEEDUPS}
        names = list(SPEEDUPS)
        for round_ in range(rounds):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                path = SPEEDUPS[name][1]
                pair = [("shipped", shipped), (name, without[name])]
                order = pair if round_ % 2 == 0 else pair[::-1]
                measured = {side: _cost(server, path, headers, count) for side, server in order}
                gains[name].append(measured[name] / measured["shipped"] - 1)
                costs[name].append((measured["shipped"], measured[name]))
    for name, (_off, path) in SPEEDUPS.items():
        gain = statistics.median(gains[name])
        with_it = statistics.median(c[0] for c in costs[name])
        without_it = statistics.median(c[1] for c in costs[name])
        print(
            f"   {name}: {with_it:.2f} ms CPU/request with, {without_it:.2f} ms without; gain per pair "
            + " ".join(f"{g:+.0%}" for g in gains[name])
            + f", median {gain:+.0%}; {path}",
            flush=True,
        )
        rows.append(
            Row(f"speed-up A/B: {name}, CPU/request without ÷ with - 1", MIN_GAIN, gain, "gain", higher_is_better=True)
        )
    return rows
