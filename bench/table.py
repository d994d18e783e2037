"""The printed table: an anchored row shows its anchor's figure and is judged on the ratio."""

from bench.rows import Row


def _target(row: Row) -> str:
    sign = "≥" if row.higher_is_better else "≤"
    return f"{sign}{row.target:.2f}x" if row.anchored else f"{sign}{row.target:.2f}"


def table(rows: list[Row]) -> str:
    lines = [f"\n{'figure':64} {'target':>9} {'measured':>10} {'unit':8} {'anchor':>10} {'ratio':>6}  result"]
    for row in rows:
        anchor = f"{row.anchor_measured:>10.2f}" if row.anchor_measured is not None else f"{'':>10}"
        ratio = f"{row.ratio:>6.2f}" if row.anchored else f"{'':>6}"
        verdict = "pass" if row.passed else "FAIL"
        lines.append(f"{row.name:64} {_target(row):>9} {row.measured:>10.2f} {row.unit:8} {anchor} {ratio}  {verdict}")
    anchors = list(dict.fromkeys(row.anchor for row in rows if row.anchored))
    if anchors:
        lines.append("\nanchors (measured in the same run, alternating with the figures they judge):")
        lines.extend(f"  - {anchor}" for anchor in anchors)
    return "\n".join(lines)
