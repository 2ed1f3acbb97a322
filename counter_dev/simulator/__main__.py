"""Command line of the simulator.

``python -m counter_dev.simulator [serve] --port PORT --data DIR [options]`` serves;
``python -m counter_dev.simulator list --data DIR [--stats]`` prints what a data directory
holds (JSON), reading the database without changing it, also while a server runs on it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from counter_dev.simulator.faults import FaultConfig
from counter_dev.simulator.processing import ProcessingConfig
from counter_dev.simulator.server import DEFAULT_CATALOGUE, SimulatorConfig, build
from counter_dev.simulator.store import SimulatorStore

log = logging.getLogger("counter_dev.simulator")


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _users(text: str) -> dict[str, str]:
    users = {}
    for pair in text.split(","):
        name, sep, password = pair.partition(":")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError("expected user:password[,user:password...]")
        users[name.strip()] = password
    return users


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m counter_dev.simulator",
                                     description="Simulated provincial one-stop system (HTTP/HTTPS).")
    parser.add_argument("--data", type=Path, required=True, help="data directory (SQLite + files)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default loopback only)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (reported on READY)")
    parser.add_argument("--users", type=_users, default=None, help="user:password,... (default demo:demo)")
    parser.add_argument("--session-ttl", type=float, default=3600.0, help="seconds a login token lives")
    faults = parser.add_argument_group("faults (apply to /api/ only)")
    faults.add_argument("--fail-rate", type=_rate, default=0.0, help="fraction answered 500 before processing")
    faults.add_argument("--reset-rate", type=_rate, default=0.0, help="fraction reset (RST) before processing")
    faults.add_argument("--lost-reply-rate", type=_rate, default=0.0,
                        help="fraction processed and committed, then closed without a reply")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="delay added to each request")
    faults.add_argument("--jitter-ms", type=float, default=0.0, help="extra uniform random delay")
    faults.add_argument("--fault-seed", type=int, default=None, help="seed of the fault sequence (default --seed)")
    progress = parser.add_argument_group("simulated processing")
    progress.add_argument("--seed", type=int, default=0, help="seed for processing outcomes (and faults)")
    progress.add_argument("--tick", type=float, default=1.0, help="seconds between processing passes")
    progress.add_argument("--progress-speed", type=float, default=5.0,
                          help="seconds a dossier stays in 2 and in 4 before moving on")
    progress.add_argument("--supplement-rate", type=_rate, default=0.1, help="probability of 4 -> 5 instead of 9")
    progress.add_argument("--no-progress", action="store_true", help="dossiers never move by themselves")
    tls = parser.add_argument_group("TLS")
    tls.add_argument("--tls", action="store_true", help="serve HTTPS (self-signed cert in DATA/tls unless --cert)")
    tls.add_argument("--cert", type=Path, help="certificate PEM to use with --tls")
    tls.add_argument("--key", type=Path, help="private key PEM to use with --tls")
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE, help="procedure catalogue JSON")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (logs go to stderr)")
    return parser


def _list(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m counter_dev.simulator list",
                                     description="Print what a simulator data directory holds (read-only).")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--stats", action="store_true", help="only the counts")
    args = parser.parse_args(argv)
    try:
        store = SimulatorStore(args.data, read_only=True)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        out: dict[str, Any] = {"stats": store.stats()}
        if not args.stats:
            out["dossiers"] = store.admin_dossiers()
            out["files"] = store.admin_files()
    finally:
        store.close()
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _serve(argv: Sequence[str]) -> int:
    args = _serve_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if bool(args.cert) != bool(args.key):
        print("--cert and --key go together", file=sys.stderr)
        return 2
    try:
        faults = FaultConfig(fail_rate=args.fail_rate, reset_rate=args.reset_rate,
                             lost_reply_rate=args.lost_reply_rate, latency_ms=args.latency_ms,
                             jitter_ms=args.jitter_ms,
                             seed=args.fault_seed if args.fault_seed is not None else args.seed)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    config = SimulatorConfig(
        data_dir=args.data, host=args.host, port=args.port, users=args.users or {"demo": "demo"},
        session_ttl=args.session_ttl, faults=faults,
        processing=ProcessingConfig(enabled=not args.no_progress, step_seconds=args.progress_speed,
                                    supplement_rate=args.supplement_rate, seed=args.seed),
        tick=args.tick, tls=args.tls or bool(args.cert), cert=args.cert, key=args.key, catalogue=args.catalogue)
    try:
        simulator = build(config)
    except OSError as exc:  # port in use, unwritable data directory, unreadable certificate
        print(f"cannot start the simulator: {exc}", file=sys.stderr)
        return 2

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %d: shutting down", signum)
        # shutdown() blocks until serve_forever returns, so it cannot run in the serving thread.
        threading.Thread(target=simulator.stop, daemon=True).start()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    info = {"url": simulator.url, "port": simulator.server.port, "scheme": simulator.server.scheme,
            "cert": str(simulator.cert_path) if simulator.cert_path else None, "pid": os.getpid()}
    info_path = Path(args.data) / "simulator.json"
    tmp = info_path.with_name(info_path.name + ".tmp")
    tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    os.replace(tmp, info_path)
    ready = f"READY port={simulator.server.port} url={simulator.url}"
    if simulator.cert_path:
        ready += f" cert={simulator.cert_path}"
    print(ready, flush=True)
    log.info("serving %s (data %s)", simulator.url, args.data)
    simulator.serve_forever()
    log.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``list`` prints a data directory, anything else serves."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "list":
        return _list(argv[1:])
    if argv and argv[0] == "serve":
        argv = argv[1:]
    return _serve(argv)


if __name__ == "__main__":
    sys.exit(main())
