"""A worker process for the kill test: the CLI's wiring (settings from ``--config``, `icims_client`), delivering
the outbox in a loop, with a short lease so that a restarted worker takes over a dead one's jobs within seconds
(the `worker` command's lease is two minutes).

    python -m tests.reliability.outbox_worker --config FILE --lease 4
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from app.cli.offers import icims_client
from app.config import load_settings
from offer_engine.db import make_engine
from offer_engine.delivery import RetryPolicy, deliver_due


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--lease", type=float, default=4.0)
    parser.add_argument("--interval", type=float, default=0.1)
    args = parser.parse_args(argv)
    settings = load_settings(args.config)
    engine = make_engine(settings.resolved_database_url)
    policy = RetryPolicy(base_seconds=0.5, max_seconds=2.0, lease_seconds=args.lease)
    worker_id = f"kill-test-{os.getpid()}"
    print(json.dumps({"started": worker_id}), flush=True)
    with icims_client(settings, max_retries=0) as client:
        while True:
            result = deliver_due(engine, client, worker_id=worker_id, policy=policy)
            if result.attempted:
                print(
                    json.dumps(
                        {
                            "delivered": result.delivered,
                            "already_present": result.already_present,
                            "retrying": result.retrying,
                            "dead": result.dead,
                        }
                    ),
                    flush=True,
                )
            time.sleep(args.interval)


if __name__ == "__main__":
    main()
