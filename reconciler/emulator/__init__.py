"""A local imitation of WeCom's app-chat API, over real HTTP.

    from reconciler.emulator import Emulator, EmulatorConfig
    with Emulator(EmulatorConfig(seed={"users": ["alice", "bob"]})) as emu:
        emu.base_url   # http://127.0.0.1:PORT/cgi-bin/

Imports nothing from reconciler but reconciler.core.facts, so it cannot drift
along with the client it is meant to check (a test holds it to that)."""

from .config import DEFAULT_CORP_ID, DEFAULT_CORP_SECRET, EmulatorConfig
from .emulator import Emulator
from .seed import SeedError

__all__ = ["Emulator", "EmulatorConfig", "SeedError", "DEFAULT_CORP_ID", "DEFAULT_CORP_SECRET"]
