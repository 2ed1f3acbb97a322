"""Fault injection: the network and server misbehaviour a commune's sync client must survive.

Each ``/api/`` request draws one :class:`FaultPlan`. The kinds are mutually exclusive and drawn
from a single uniform number, so ``--fail-rate 0.1 --reset-rate 0.1`` really gives 10% of each
(20% in total) rather than conditional rates. Exactly two random numbers are drawn per request
whatever the outcome, so a given seed and request order always give the same faults.

- ``reset``: the connection is aborted (RST) right after the request line and headers are read,
  before anything is processed.
- ``fail``: HTTP 500 with a JSON error, before anything is processed.
- ``lost_reply``: the request is processed and committed, then the connection is closed without
  a reply, so the client cannot know it arrived (it must retry; the server must be idempotent).
- latency: ``latency_ms`` plus a uniform ``jitter_ms`` before processing.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultConfig:
    """Rates are fractions of ``/api/`` requests (0..1, summing to at most 1)."""

    fail_rate: float = 0.0
    reset_rate: float = 0.0
    lost_reply_rate: float = 0.0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        rates = (self.fail_rate, self.reset_rate, self.lost_reply_rate)
        if any(rate < 0 or rate > 1 for rate in rates) or sum(rates) > 1 + 1e-9:
            raise ValueError("fault rates must be between 0 and 1 and sum to at most 1")
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency and jitter must not be negative")

    @property
    def any_fault(self) -> bool:
        """True when at least one fault or delay is configured."""
        return bool(self.fail_rate or self.reset_rate or self.lost_reply_rate or self.latency_ms or self.jitter_ms)


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one request. At most one of the three flags is set."""

    reset: bool = False
    fail: bool = False
    lost_reply: bool = False
    delay_seconds: float = 0.0


NO_FAULT = FaultPlan()


class FaultInjector:
    """Thread-safe, seeded source of :class:`FaultPlan`."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._lock = threading.Lock()

    def plan(self) -> FaultPlan:
        """Draw the plan of the next request."""
        config = self.config
        if not config.any_fault:
            return NO_FAULT
        with self._lock:
            kind_draw, jitter_draw = self._rng.random(), self._rng.random()
        delay = (config.latency_ms + jitter_draw * config.jitter_ms) / 1000.0
        if kind_draw < config.reset_rate:
            return FaultPlan(reset=True, delay_seconds=delay)
        if kind_draw < config.reset_rate + config.fail_rate:
            return FaultPlan(fail=True, delay_seconds=delay)
        if kind_draw < config.reset_rate + config.fail_rate + config.lost_reply_rate:
            return FaultPlan(lost_reply=True, delay_seconds=delay)
        return FaultPlan(delay_seconds=delay)
