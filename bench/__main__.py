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
    *("limiter", "sandbox", "sync", "webhooks", "lists", "files", "speedups"),
    "assistants",
    "einvoices",
    "exports",
    "outgoing",
    "documents",
    "intake",
]
RESULTS = Path(__file__).resolve().parent / "results.json"


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes in all")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexhub.settings")
    from bench.env import prepare_database

    prepare_database(quick=args.quick)  # a database of its own, never the app's
    django.setup()
    rows = []
    for name in args.only or SECTIONS:
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        rows.extend(module.run(quick=args.quick))

    print(f"\n{'figure':58} {'target':>10} {'measured':>10} {'unit':8} {'ratio':>6}  result")
    for row in rows:
        verdict = "pass" if row.passed else "FAIL"
        print(f"{row.name:58} {row.target:>10.2f} {row.measured:>10.2f} {row.unit:8} {row.ratio:>6.2f}  {verdict}")
    RESULTS.write_text(json.dumps([row.as_json() for row in rows], indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
