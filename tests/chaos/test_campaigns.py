"""The four chaos campaigns at CI size, through the same code as `make chaos` (one run, seed 1, --quick):
each must report 0 lost, 0 duplicated, 0 unexpected, and have done real work under its faults."""

import json
import shutil
import subprocess
import sys

import pytest

from harness.processes import ROOT
from harness.services import postgres_bin
from tests.conftest import require

CAMPAIGNS = ["webhooks", "jobs", "database", "outage"]


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict]:
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    require(postgres_bin() is not None, "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    process = subprocess.Popen(
        [sys.executable, "-m", "chaos", "--quick", "--seed", "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=270)
    except subprocess.TimeoutExpired:
        process.terminate()  # the run stops the servers it started before it exits
        stdout, stderr = process.communicate(timeout=60)
        pytest.fail(f"the quick campaigns took over 270 s:\n{stdout[-3000:]}")
    found = {}
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith('{"campaign"'):
            outcome = json.loads(line)
            found[outcome["campaign"]] = outcome
    assert found, f"no campaign reported (exit {process.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}"
    found["_exit"] = {"code": process.returncode, "table": stdout[-4000:]}
    return found


@pytest.mark.parametrize("name", CAMPAIGNS)
def test_the_campaign_is_clean(outcomes: dict[str, dict], name: str) -> None:
    outcome = outcomes.get(name)
    assert outcome is not None, f"{name} did not report:\n{outcomes['_exit']['table']}"
    assert (outcome["lost"], outcome["duplicated"], outcome["unexpected"]) == (0, 0, 0), outcome["notes"]
    assert outcome["ok"] > 0 and outcome["faults"], outcome


def test_the_run_exits_zero_when_every_campaign_is_clean(outcomes: dict[str, dict]) -> None:
    assert outcomes["_exit"]["code"] == 0, outcomes["_exit"]["table"]
