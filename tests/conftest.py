"""Shared fixtures: emulators on 127.0.0.1, port 0, stopped after each test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parent
for _p in (str(_TESTS), str(_TESTS.parent)):  # `from helpers import ...` and `from tests.helpers import ...`
    if _p not in sys.path:
        sys.path.insert(0, _p)

from helpers import TEST_CORP_ID, TEST_CORP_SECRET  # noqa: E402

from reconciler.emulator import Emulator, EmulatorConfig  # noqa: E402


@pytest.fixture
def emulator_factory():
    """emulator_factory(**EmulatorConfig fields) -> a started Emulator with the
    test credentials unless overridden; all of them stopped at teardown."""
    started: list[Emulator] = []

    def make(**overrides) -> Emulator:
        values = {"corp_id": TEST_CORP_ID, "corp_secret": TEST_CORP_SECRET, **overrides}
        emu = Emulator(EmulatorConfig(**values)).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory) -> Emulator:
    """A started emulator, open directory, no chats, credentials wwtestcorp / test-secret-DO-NOT-LEAK."""
    return emulator_factory()
