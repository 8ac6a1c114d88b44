"""Shared fixtures: emulators on 127.0.0.1, port 0, stopped after each test."""

from __future__ import annotations

import pytest

from reconciler.emulator import Emulator, EmulatorConfig
from tests.helpers import TEST_CORP_ID, TEST_CORP_SECRET


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
