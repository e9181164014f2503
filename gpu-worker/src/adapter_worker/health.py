"""Container health check: healthy while the worker loop touched its health file recently.

The loop touches it before every lease poll and after every acknowledged heartbeat, so a wedged
process (deadlocked CUDA call, hung network) turns unhealthy even though it is still running.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adapter_worker.health")
    parser.add_argument("--file", type=Path,
                        default=Path(os.environ.get("ADAPTER_WORKER_HEALTH_FILE", "/tmp/adapter-worker.alive")))  # noqa: S108
    parser.add_argument("--max-age", type=float, default=120.0, help="seconds")
    args = parser.parse_args(argv)
    try:
        age = time.time() - args.file.stat().st_mtime
    except FileNotFoundError:
        print(f"unhealthy: {args.file} missing")
        return 1
    if age > args.max_age:
        print(f"unhealthy: last sign of life {age:.0f}s ago")
        return 1
    print(f"healthy: last sign of life {age:.0f}s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
