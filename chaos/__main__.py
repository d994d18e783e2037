"""`python -m chaos [--seed S ...] [--only NAME ...] [--quick]`: seeded fault campaigns, one table.

Each campaign is a module in chaos/ with `run(cluster, seed, quick) -> Outcome`. The run starts its own
PostgreSQL, Redis, sandbox, web server and workers (chaos.cluster); it exits 1 unless every campaign
reports 0 lost, 0 duplicated and 0 unexpected.
"""

import argparse
import importlib
import signal
import sys
import time
import traceback

from chaos.report import Outcome, table

CAMPAIGNS = ["webhooks", "jobs", "database", "outage"]
SEEDS = [1, 2, 3]


def main() -> int:
    parser = argparse.ArgumentParser(prog="make chaos")
    parser.add_argument("--seed", type=int, action="append", help=f"run with this seed (default {SEEDS})")
    parser.add_argument("--only", action="append", choices=CAMPAIGNS, help="run only this campaign")
    parser.add_argument("--quick", action="store_true", help="CI size: small counts, short outages")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs, database)")
    args = parser.parse_args()
    # SIGTERM (a CI timeout) ends the run through the same cleanup as Ctrl-C: every server we started stops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from chaos.cluster import Cluster

    outcomes: list[Outcome] = []
    with Cluster(keep=args.keep) as cluster:
        print(
            f"chaos: run directory {cluster.dir}; web {cluster.web_url}; sandbox {cluster.sandbox_url}; "
            f"postgres :{cluster.postgres.port}; redis :{cluster.redis.port}",
            flush=True,
        )
        for seed in args.seed or SEEDS:
            for name in args.only or CAMPAIGNS:
                print(f"== seed {seed}: {name}{' (quick)' if args.quick else ''}", flush=True)
                started = time.monotonic()
                try:
                    outcome = importlib.import_module(f"chaos.{name}").run(cluster, seed=seed, quick=args.quick)
                except Exception:
                    outcome = Outcome(name, seed)
                    outcome.problem(f"campaign crashed: {traceback.format_exc(limit=6)}", unexpected=1)
                outcome.seconds = time.monotonic() - started
                outcomes.append(outcome)
                print(f"   {outcome.as_json()}", flush=True)
    print()
    print(table(outcomes))
    clean = all(outcome.clean for outcome in outcomes)
    print(f"\nchaos: {'all campaigns clean' if clean else 'NOT CLEAN'}")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
