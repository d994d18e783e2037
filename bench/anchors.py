"""Figures and their anchors measured in alternating rounds, so both meet the same machine.

Each round runs every side once, the order rotating from round to round (A B C, B C A, C A B, ...); a
figure is the median over the rounds. A neighbour that starts or stops mid-run then moves both sides.
"""

import statistics
from collections.abc import Callable


def alternate(sides: dict[str, Callable[[], dict]], *, rounds: int) -> dict[str, list[dict]]:
    """Per side, its results in round order."""
    names = list(sides)
    results: dict[str, list[dict]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(sides[name]())
    return results


def median(results: list[dict], key: str) -> float:
    return statistics.median(result[key] for result in results)


def statuses(results: list[dict]) -> dict[str, int]:
    """Responses by status over all rounds."""
    total: dict[str, int] = {}
    for result in results:
        for status, count in result["statuses"].items():
            total[status] = total.get(status, 0) + count
    return total


def not_ok(results: list[dict], ok: str = "200") -> int:
    return sum(result["count"] - result["statuses"].get(ok, 0) for result in results)
