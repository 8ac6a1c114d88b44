"""Running the emulator as a program: start, print where it listens, serve
until SIGINT or SIGTERM, stop cleanly."""

from __future__ import annotations

import signal
import sys
import threading

from .config import EmulatorConfig
from .emulator import Emulator
from .seed import SeedError


def serve(config: EmulatorConfig) -> int:
    """Exit code 0 after a signal, 1 when the emulator cannot start (the
    reason as one line on stderr)."""
    try:
        emu = Emulator(config)
    except SeedError as e:
        print(f"appchat emulator: error: seed: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"appchat emulator: error: {e}", file=sys.stderr)
        return 1
    try:
        emu.start()
    except OSError as e:  # the port in use, an address not on this host: say which
        print(f"appchat emulator: error: cannot listen on {_address(config.host, config.port)}: "
              f"{e.strerror or e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Scripts wait for this exact first line: flush it at once.
        print(f"listening on {emu.base_url}", flush=True)
        chats, org = len(emu.chat_ids()), emu.directory()
        people = f"{len(org['users'])} user(s)" if org["closed"] else "any user id"
        print(f"appchat emulator: corp id {config.corp_id}, {chats} chat(s), {len(org['departments'])} "
              f"department(s), {people}, {len(org['tags'])} tag(s), state "
              f"{config.state_path or 'in memory'}; admin at {emu.admin_url}; stop with Ctrl-C",
              file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
