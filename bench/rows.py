from dataclasses import dataclass


@dataclass
class Row:
    """One figure. Without an anchor, `measured` is judged against `target` (an absolute promise).

    With an anchor (`anchor` names it, `anchor_measured` is its figure from the same run, taken in rounds
    alternating with `measured`), `target` is a ratio: `ratio` = measured ÷ anchor_measured is judged
    against it and the absolute figure is information. `higher_is_better` decides the direction of pass."""

    name: str
    target: float
    measured: float
    unit: str
    higher_is_better: bool = False
    anchor: str = ""
    anchor_measured: float | None = None

    @property
    def anchored(self) -> bool:
        return self.anchor_measured is not None

    @property
    def ratio(self) -> float:
        if self.anchor_measured is not None:
            if self.anchor_measured == 0:
                return float("inf") if self.measured else 1.0
            return self.measured / self.anchor_measured
        if self.target == 0:
            return 0.0
        return self.measured / self.target

    @property
    def judged(self) -> float:
        """What pass compares with the target: the ratio for an anchored row, the figure otherwise."""
        return self.ratio if self.anchored else self.measured

    @property
    def passed(self) -> bool:
        if self.higher_is_better:
            return self.judged >= self.target
        return self.judged <= self.target

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "target": self.target,
            "measured": self.measured,
            "unit": self.unit,
            "anchor": self.anchor or None,
            "anchor_measured": self.anchor_measured,
            "ratio": self.ratio if self.anchored else None,
            "pass": self.passed,
        }
