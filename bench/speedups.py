"""A/B of the speed-ups that lean on libraries' private internals: each one's gain, measured in one run.

One gunicorn serves the code as it ships; beside it, one gunicorn per speed-up with just that one turned
off (LEXHUB_SPEEDUPS_OFF, or LEXHUB_PREPARED_STATEMENTS=false). In each round every server in turn gets
the same batch of API requests while the others idle, the order rotating between rounds, so all of them
meet the same machine. The figure is CPU per request (gunicorn workers + PostgreSQL), which on a
CPU-bound server is what throughput divides; its gain is cost without ÷ cost with - 1. A speed-up whose
gain stays under 10 % does not earn its reliance on internals (issue #17) and goes.
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
    "health check by the socket": ({"LEXHUB_SPEEDUPS_OFF": "health_check"}, WALK),
}
MIN_GAIN = 0.10
WORKERS = 1


def _cost(server, path: str, headers: dict, count: int) -> tuple[float, float]:
    """(CPU ms per request of the server's workers and PostgreSQL, requests per second) for one batch."""
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
    return spent / count * 1000, result["per_second"]


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
    count, rounds = (300, 7) if quick else (1000, 7)
    base_env = {"LEXHUB_API_THROTTLE": "100000000/hour"}
    rows = []
    with ExitStack() as stack:
        shipped = stack.enter_context(gunicorn(workers=WORKERS, env_extra=base_env))
        without = {
            name: stack.enter_context(gunicorn(workers=WORKERS, env_extra={**base_env, **off}))
            for name, (off, _path) in SPEEDUPS.items()
        }
        costs: dict[tuple[str, str], list[float]] = {}
        rates: dict[tuple[str, str], list[float]] = {}
        paths = sorted({path for _off, path in SPEEDUPS.values()})
        servers = [("shipped", shipped), *without.items()]
        for path in paths:  # warm-up: connections open, walks compiled, statements prepared
            for _name, server in servers:
                _cost(server, path, headers, 60)
        for round_ in range(rounds):
            turn = servers[round_ % len(servers) :] + servers[: round_ % len(servers)]
            for name, server in turn:
                for path in paths:
                    if name != "shipped" and SPEEDUPS[name][1] != path:
                        continue
                    ms, per_second = _cost(server, path, headers, count)
                    costs.setdefault((name, path), []).append(ms)
                    rates.setdefault((name, path), []).append(per_second)
    for name, (_off, path) in SPEEDUPS.items():
        with_it = statistics.median(costs[("shipped", path)])
        without_it = statistics.median(costs[(name, path)])
        gain = without_it / with_it - 1
        print(
            f"   {name}: {with_it:.2f} ms CPU/request with, {without_it:.2f} ms without (gain {gain:+.0%}); "
            f"req/s {statistics.median(rates[('shipped', path)]):.0f} with, "
            f"{statistics.median(rates[(name, path)]):.0f} without; {path}",
            flush=True,
        )
        rows.append(
            Row(f"speed-up A/B: {name}, CPU/request without ÷ with - 1", MIN_GAIN, gain, "gain", higher_is_better=True)
        )
    return rows
