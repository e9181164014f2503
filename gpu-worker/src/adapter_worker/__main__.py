"""CLI: python -m adapter_worker --server URL --token TOKEN --models CONFIG"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

from .client import UnsupportedProtocol, WorkerClient
from .generate import GenerateEngine
from .registry import ModelRegistry
from .worker import Worker


def quiet_libraries() -> None:
    """diffusers/transformers log per-load notices that drown the worker's own lines."""
    from diffusers.utils import logging as dlog
    from transformers.utils import logging as tlog

    dlog.set_verbosity_error()
    tlog.set_verbosity_error()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="adapter_worker", description=__doc__)
    parser.add_argument("--server", default=os.environ.get("ADAPTER_WORKER_SERVER"), help="app base URL")
    parser.add_argument("--token", default=os.environ.get("ADAPTER_WORKER_TOKEN"),
                        help="worker token (prefer the ADAPTER_WORKER_TOKEN env var: argv is visible in ps)")
    parser.add_argument("--models", type=Path, default=os.environ.get("ADAPTER_WORKER_MODELS"),
                        help="model registry config (JSON or TOML)")
    parser.add_argument("--worker-id", default=os.environ.get("ADAPTER_WORKER_ID")
                        or f"{socket.gethostname()}-{os.getpid()}")
    parser.add_argument("--lease-wait", type=int, default=20, help="long-poll seconds per lease request")
    parser.add_argument("--on-sigterm", choices=["release", "finish"], default="release")
    parser.add_argument("--max-jobs", type=int, default=None, help="exit after this many jobs")
    parser.add_argument("--health-file", type=Path,
                        default=Path(os.environ.get("ADAPTER_WORKER_HEALTH_FILE", "/tmp/adapter-worker.alive")))  # noqa: S108
    parser.add_argument("--log-level", default=os.environ.get("ADAPTER_WORKER_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    missing = [flag for flag, value in (("--server", args.server), ("--token", args.token),
                                        ("--models", args.models)) if not value]
    if missing:
        parser.error(f"missing {', '.join(missing)} (or their ADAPTER_WORKER_* env vars)")

    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_libraries()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub, whatever a loader defaults to
    engine = GenerateEngine(ModelRegistry.load(args.models))
    client = WorkerClient(args.server, args.token)
    worker = Worker(client, engine, args.worker_id, lease_wait_s=args.lease_wait, on_sigterm=args.on_sigterm,
                    health_file=args.health_file)

    def on_sigterm(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger(__name__).info("signal %d: shutting down (%s current job)", signum, args.on_sigterm)
        worker.request_stop()

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, on_sigterm)
    logging.getLogger(__name__).info("worker %s polling %s on %s", args.worker_id, args.server, engine.spec.device)
    try:
        worker.run(max_jobs=args.max_jobs)
    except UnsupportedProtocol as err:
        logging.getLogger(__name__).error("%s", err)
        return 2
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
