"""Everything the sandbox holds in memory, shared by its vendor routers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.ledger import Ledger


class SandboxState:
    """One sandbox's data. Vendor stores attach themselves as attributes at app creation.

    Handlers run on one event loop, but tests also read state from other threads, so
    mutations go through ``lock``.
    """

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.ledger = Ledger()
        self.lock = threading.RLock()
        self.vendors: dict[str, Any] = {}
