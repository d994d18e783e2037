"""Run benchmark sections and print one table of figures.

Each section is a module in bench/ listed in SECTIONS with `run(quick: bool) -> list[Row]`;
a section states its own data size and seed in the figures' names.
"""

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

import django

SECTIONS: list[str] = [
    *("limiter", "sandbox", "sync", "webhooks", "lists", "files", "speedups", "accounts"),
    "assistants",
    "einvoices",
    "exports",
    "outgoing",
    "documents",
    "intake",
]
RESULTS = Path(__file__).resolve().parent / "results.json"


def merged(written: list[dict], *, ran: set[str]) -> list[dict]:
    """This run's rows, after the rows of sections it did not run kept from bench/results.json (so the file
    holds the latest figures of every section when they are run one at a time)."""
    try:
        kept = [row for row in json.loads(RESULTS.read_text()) if row.get("section") not in ran]
    except (OSError, ValueError):
        kept = []
    return kept + written


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes in all")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section")
    parser.add_argument("--noise", action="store_true", help="run beside a CPU-bound neighbour the bench starts")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexhub.settings")
    from bench.env import prepare_database
    from bench.noise import neighbour
    from bench.table import table

    prepare_database(quick=args.quick)  # a database of its own, never the app's
    django.setup()
    rows, written = [], []
    run = {"quick": args.quick, "noise": args.noise}
    with neighbour(args.noise):
        for name in args.only or SECTIONS:
            print(f"== {name}{' (quick)' if args.quick else ''}{' (noise)' if args.noise else ''}", flush=True)
            module = importlib.import_module(f"bench.{name}")
            section = module.run(quick=args.quick)
            rows.extend(section)
            written.extend({"section": name, **run, **row.as_json()} for row in section)

    print(table(rows))
    RESULTS.write_text(json.dumps(merged(written, ran=set(args.only or SECTIONS)), indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
