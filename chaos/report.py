"""A campaign's outcome: counts that must be zero, the faults it injected, and notes worth reading."""

import json
from dataclasses import asdict, dataclass, field


@dataclass
class Outcome:
    campaign: str
    seed: int
    ok: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    faults: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.unexpected == 0 and self.ok > 0

    def problem(self, text: str, *, lost: int = 0, duplicated: int = 0, unexpected: int = 0) -> None:
        """Count a finding and say what it was (only when it is one)."""
        if lost or duplicated or unexpected:
            self.lost += lost
            self.duplicated += duplicated
            self.unexpected += unexpected
            self.notes.append(text)

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "clean": self.clean})


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'seed':>4}  {'campaign':10} {'ok':>7} {'lost':>5} {'dup':>5} {'unexp':>6} {'secs':>6}  result  faults"]
    for o in outcomes:
        lines.append(
            f"{o.seed:>4}  {o.campaign:10} {o.ok:>7} {o.lost:>5} {o.duplicated:>5} {o.unexpected:>6} "
            f"{o.seconds:>6.0f}  {'clean' if o.clean else 'FAIL':6}  {'; '.join(o.faults)}"
        )
        lines += [f"{'':18}! {note}" for note in o.notes]
    return "\n".join(lines)
