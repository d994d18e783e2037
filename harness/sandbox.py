"""The sandbox's control client: a sandbox server (`SandboxServer`) and an organization in it (`SandboxOrg`).

Small HTTP clients of the sandbox's /_sandbox/ control API; the sandbox process itself is started by whoever
uses them (the test fixtures, bench/, chaos/).

- `SandboxServer(base_url, log_path).new_org(contacts=, vouchers=, invoices=, seed=, rate_limit=, burst=,
  company_name=, api_key=) -> SandboxOrg`.
- `SandboxOrg`: `.mutate()`, `.set_faults()`, `.clear_faults()`, `.configure()`, `.requests_log()`,
  `.counters()`, `.deliveries()` and `.api(method, path, **kwargs)` for raw authenticated calls.
"""

from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass
class SandboxOrg:
    base_url: str
    api_key: str
    organization_id: str

    def _control(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, f"{self.base_url}/_sandbox/{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response

    def mutate(self, resource: str, action: str, id: str | None = None, fields: dict | None = None) -> dict:
        return self._control(
            "POST",
            "mutations",
            json={"apiKey": self.api_key, "resource": resource, "action": action, "id": id, "fields": fields or {}},
        ).json()

    def set_faults(self, rules: list[dict], seed: int = 0) -> None:
        self._control("POST", "faults", json={"apiKey": self.api_key, "rules": rules, "seed": seed})

    def clear_faults(self) -> None:
        self._control("DELETE", "faults", params={"apiKey": self.api_key})

    def configure(self, **options: object) -> None:
        self._control("POST", "config", json={"apiKey": self.api_key, **options})

    def requests_log(self) -> list[dict]:
        return self._control("GET", "requests", params={"apiKey": self.api_key}).json()["requests"]

    def counters(self) -> dict:
        counters = self._control("GET", "requests", params={"apiKey": self.api_key}).json()["counters"]
        return {"requests": counters["requests"], "429": counters["429"]}

    def deliveries(self) -> list[dict]:
        return self._control("GET", "deliveries", params={"apiKey": self.api_key}).json()["deliveries"]

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.base_url}{path}", headers=headers, timeout=30, **kwargs)


@dataclass
class SandboxServer:
    base_url: str
    log_path: Path

    def new_org(
        self,
        *,
        contacts: int = 0,
        vouchers: int = 0,
        invoices: int = 0,
        seed: int = 1,
        rate_limit: float = 0.0,
        burst: int = 2,
        company_name: str | None = None,
        api_key: str | None = None,
    ) -> SandboxOrg:
        body = {
            "seed": seed,
            "contacts": contacts,
            "vouchers": vouchers,
            "invoices": invoices,
            "rateLimit": rate_limit,
            "burst": burst,
            "companyName": company_name,
            "apiKey": api_key,
        }
        response = requests.post(f"{self.base_url}/_sandbox/organizations", json=body, timeout=60)
        response.raise_for_status()
        created = response.json()
        return SandboxOrg(self.base_url, created["apiKey"], created["organizationId"])
