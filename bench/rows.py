from dataclasses import asdict, dataclass


@dataclass
class Row:
    """One figure: measured against target. `higher_is_better` decides the direction of pass."""

    name: str
    target: float
    measured: float
    unit: str
    higher_is_better: bool = False

    @property
    def passed(self) -> bool:
        if self.higher_is_better:
            return self.measured >= self.target
        return self.measured <= self.target

    @property
    def ratio(self) -> float:
        if self.target == 0:
            return 0.0
        return self.measured / self.target

    def as_json(self) -> dict:
        row = asdict(self)
        row.pop("higher_is_better")
        return row | {"pass": self.passed}
