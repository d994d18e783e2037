"""The sandbox's command line, shared by `python -m sandbox` and `manage.py sandbox`."""

import argparse
import shutil
import sys
from pathlib import Path

from sandbox.server import DEMO_KEY, build, serve


def add_arguments(parser: argparse.ArgumentParser, *, data_dir: Path) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        help="accepted key, one organization each (repeatable); default: the demo key",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--vouchers", type=int, default=150)
    parser.add_argument("--invoices", type=int, default=30)
    parser.add_argument("--rate-limit", type=float, default=2.0, help="requests per second per key; 0 = off")
    parser.add_argument("--burst", type=int, default=2)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--data-dir", default=str(data_dir))
    parser.add_argument("--reset", action="store_true", help="forget the data dir (a new key pair)")
    parser.add_argument(
        "--allow-http-callbacks", action="store_true", help="accept plain-http loopback webhook URLs (local use)"
    )
    parser.add_argument(
        "--retry-time-scale", type=float, default=1.0, help="multiply the webhook retry schedule (tests use e.g. 0.001)"
    )
    parser.add_argument("--threads", type=int, default=8)


def run(options: dict, out=sys.stdout) -> None:
    data_dir = Path(options["data_dir"])
    if options["reset"] and data_dir.exists():
        shutil.rmtree(data_dir)
    sandbox = build(
        data_dir=data_dir,
        api_keys=options["api_keys"],
        seed=options["seed"],
        contacts=options["contacts"],
        vouchers=options["vouchers"],
        invoices=options["invoices"],
        rate_limit=options["rate_limit"],
        burst=options["burst"],
        fault_rate=options["fault_rate"],
        latency_ms=options["latency_ms"],
        allow_http_callbacks=options["allow_http_callbacks"],
        retry_time_scale=options["retry_time_scale"],
    )
    base_url = f"http://{options['host']}:{options['port']}"
    out.write(f"Lexoffice sandbox at {base_url} (API under {base_url}/v1)\n")
    for key in options["api_keys"] or [DEMO_KEY]:
        out.write(f"  accepted API key: {key}\n")
    out.write(f"  webhook public key: {data_dir / 'public_key.pem'}\n")
    out.flush()
    serve(sandbox, options["host"], options["port"], threads=options["threads"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Run the Lexoffice sandbox.")
    add_arguments(parser, data_dir=Path("var") / "sandbox")
    run(vars(parser.parse_args(argv)))
