"""Build and serve a sandbox (waitress, threaded)."""

import logging
from pathlib import Path

from sandbox.app import Sandbox, Settings
from sandbox.faults import fault_rules
from sandbox.seed import seed_organization

DEMO_KEY = "sandbox-demo-key"  # documented in the README; accepted when no --api-key is given


def build(
    *,
    data_dir: Path,
    api_keys: list[str],
    seed: int,
    contacts: int,
    vouchers: int,
    invoices: int,
    rate_limit: float,
    burst: int,
    fault_rate: float = 0.0,
    latency_ms: int = 0,
    allow_http_callbacks: bool = False,
    retry_time_scale: float = 1.0,
) -> Sandbox:
    sandbox = Sandbox(
        data_dir=data_dir,
        retry_time_scale=retry_time_scale,
        settings=Settings(
            allow_http_callbacks=allow_http_callbacks,
            latency_ms=latency_ms,
            default_rate=rate_limit,
            default_burst=burst,
        ),
    )
    for index, key in enumerate(api_keys or [DEMO_KEY]):
        org = sandbox.add_org(api_key=key, company_name="Beispiel Handel GmbH" if index == 0 else None)
        seed_organization(org, seed=seed + index, contacts=contacts, vouchers=vouchers, invoices=invoices)
    if fault_rate > 0:
        share = fault_rate / 5
        sandbox.faults = fault_rules(
            [
                {"path": "^/v1/", "rate": share, "kind": "status", "status": 429},
                {"path": "^/v1/", "rate": share, "kind": "status", "status": 500},
                {"path": "^/v1/", "rate": share, "kind": "status", "status": 503},
                {"path": "^/v1/", "method": "GET", "rate": share, "kind": "status", "status": 504},
                {"path": "^/v1/", "method": "GET", "rate": share, "kind": "drop"},
            ],
            None,
        )
    return sandbox


def serve(sandbox: Sandbox, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress_serve(
        sandbox,
        host=host,
        port=port,
        threads=threads,
        ident="lexoffice-sandbox",
        channel_timeout=60,
        connection_limit=500,
        asyncore_use_poll=True,
    )
