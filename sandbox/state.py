"""Everything the sandbox holds in memory, shared by its vendor routers."""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from sandbox.config import SandboxConfig
from sandbox.faults import FaultSet
from sandbox.ledger import Ledger


class Clock:
    """Wall-clock time plus an offset that tests move instead of sleeping.

    >>> clock = Clock()
    >>> before = clock()
    >>> clock.advance(3600)
    >>> clock() - before >= 3600
    True
    """

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class VendorStore(Protocol):
    """What a vendor module registers in ``SandboxState.vendors``."""

    def reset(self) -> None:
        """Forget everything and load the seed data again (if the config asks for it)."""


class SandboxState:
    """One sandbox's data. Vendor stores register themselves in ``vendors`` at app creation.

    Handlers run on one event loop, but tests also read state from other threads, so
    mutations go through ``lock``. ``clock`` is the only time source of the sandbox (rate
    windows, idempotency expiry, outage windows, timestamps): tests move it with
    ``state.clock.advance(seconds)``.
    """

    def __init__(self, config: SandboxConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.ledger = Ledger(self.clock)
        self.lock = threading.RLock()
        self.faults = FaultSet(self.clock, seed=config.fault_seed)
        self.faults.load(config.faults)
        self.vendors: dict[str, Any] = {}

    def reset(self) -> None:
        """Back to the state of a fresh start: seed data, empty ledger, no faults."""
        with self.lock:
            self.ledger.clear()
            self.faults.clear()
            self.faults.load(self.config.faults)
            for store in self.vendors.values():
                store.reset()
