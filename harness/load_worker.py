"""A separate process that spends one key's budget: `python -m harness.load_worker ARGS` (the rate-limit
test and the limiter benchmark start several).

Prints one JSON line: requests sent, 429s seen, the limiter's own time per reservation, and as its anchor
the time of a plain read of the same store (`backlog`: one round trip to Redis, or one file read), taken
right before or right after each reservation (in turn) so both meet the same load.
"""

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--lane", default="backfill")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--pause", type=float, default=0.0, help="think time between requests")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lexhub.settings")
    import django

    django.setup()
    from lexoffice.client import Lexoffice, RateLimited
    from lexoffice.ratelimit import get_limiter

    limiter = get_limiter()
    reserve_times: list[float] = []
    read_times: list[float] = []
    original = limiter.reserve

    def timed_read(bucket):
        started = time.perf_counter()
        limiter.backlog(bucket)
        read_times.append(time.perf_counter() - started)

    def timed_reserve(bucket, **kw):
        # The read goes before every other reservation and after the rest: processes wake together at a
        # slot, so whichever goes first meets the crowd.
        before = len(reserve_times) % 2 == 0
        if before:
            timed_read(bucket)
        started = time.perf_counter()
        try:
            return original(bucket, **kw)
        finally:
            reserve_times.append(time.perf_counter() - started)
            if not before:
                timed_read(bucket)

    # The first reservation opens the connection and loads the script: warm both up on a bucket of its own.
    original(f"warm-up-{os.getpid()}", interval=1.0, horizon=0.0)
    limiter.backlog(f"warm-up-{os.getpid()}")
    limiter.reserve = timed_reserve
    client = Lexoffice(args.api_key, args.base_url, lane=args.lane, rate=args.rate, limiter=limiter, max_attempts=1)
    deadline = time.monotonic() + args.seconds
    sent = too_many = 0
    waits = []
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            client.profile()
        except RateLimited:
            too_many += 1
        sent += 1
        waits.append(time.perf_counter() - started)
        if args.pause:
            time.sleep(args.pause)
    reserve_times.sort()
    read_times.sort()
    waits.sort()
    print(
        json.dumps(
            {
                "sent": sent,
                "429": too_many,
                "reserve_p99_ms": reserve_times[int(0.99 * (len(reserve_times) - 1))] * 1000,
                "read_p99_ms": read_times[int(0.99 * (len(read_times) - 1))] * 1000,
                "reserve_ms": [round(t * 1000, 3) for t in reserve_times],
                "read_ms": [round(t * 1000, 3) for t in read_times],
                "request_max_s": waits[-1] if waits else 0,
            }
        )
    )


if __name__ == "__main__":
    main()
