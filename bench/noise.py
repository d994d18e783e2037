"""A CPU-bound neighbour for `--noise`: one process spinning on one core while the bench runs, as another
job on a shared machine would. Verdicts come from ratios against anchors measured in the same run, so
they should hold with it; the absolute figures will not."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SPIN = "x = 0\nwhile True:\n    x = (x * 31 + 7) % 1000003\n"


@contextmanager
def neighbour(enabled: bool = True) -> Iterator[int | None]:
    """Yield the neighbour's pid (None when disabled); it is ended by that pid when the block ends."""
    if not enabled:
        yield None
        return
    child = subprocess.Popen([sys.executable, "-c", SPIN], start_new_session=True)
    print(f"   noise: CPU-bound neighbour pid {child.pid}", flush=True)
    try:
        yield child.pid
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGTERM)
            child.wait(timeout=10)
