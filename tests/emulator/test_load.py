"""Load the emulator can impose so a client's concurrency is testable:
latency jitter, a capacity (requests beyond it wait in line), and the
in-flight figures that show what happened. The emulator's sleep is injected:
recorded, or held on an event, never timed."""

from __future__ import annotations

import threading
import time

import requests

from tests.helpers import TEST_CORP_ID, TEST_CORP_SECRET, RawApi
from reconciler.cli.commands.emulator import add_arguments, config_from_args

SEED = {"chats": [{"chatid": "team", "name": "Team", "owner": "alice", "userlist": ["alice", "bob"]}]}


class Recorded:
    def __init__(self):
        self.seconds: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.seconds.append(seconds)


def _until(condition, limit: float = 60.0) -> bool:
    """Poll until `condition` holds; the limit is for a broken emulator, far
    past what a loaded machine takes."""
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_latency_jitter_gives_each_request_its_own_latency_around_the_set_one(emulator_factory):
    sleeps = Recorded()
    emu = emulator_factory(seed=SEED, latency_ms=100, latency_jitter_ms=40, sleep=sleeps)
    api = RawApi(emu)
    for _ in range(40):
        assert api.get("team")["errcode"] == 0
    assert len(sleeps.seconds) == 41  # gettoken too
    assert all(0.060 <= s <= 0.140 for s in sleeps.seconds)
    assert len({round(s, 4) for s in sleeps.seconds}) > 20, "jitter that does not vary"
    assert min(sleeps.seconds) < 0.08 and max(sleeps.seconds) > 0.12


def test_jitter_never_makes_latency_negative_and_repeats_with_the_seed(emulator_factory):
    def latencies(seed):
        sleeps = Recorded()
        emu = emulator_factory(seed=SEED, latency_ms=10, latency_jitter_ms=50, random_seed=seed, sleep=sleeps)
        api = RawApi(emu)
        for _ in range(30):
            api.get("team")
        return sleeps.seconds

    first, again = latencies(3), latencies(3)
    assert first == again
    assert all(0 < s <= 0.060 for s in first)
    assert len(first) < 31, "some requests should have drawn a latency of 0 (no sleep at all)"


def test_without_jitter_every_request_waits_exactly_the_latency(emulator_factory):
    sleeps = Recorded()
    emu = emulator_factory(seed=SEED, latency_ms=25, sleep=sleeps)
    api = RawApi(emu)
    for _ in range(5):
        api.get("team")
    assert sleeps.seconds == [0.025] * 6


def test_capacity_works_on_n_requests_at_once_and_the_rest_wait_in_line(emulator_factory):
    release = threading.Event()
    emu = emulator_factory(seed=SEED, sleep=lambda s: release.wait(30))
    token = RawApi(emu).login()
    emu.reset()  # the figures count from here
    emu.set_faults(capacity=2, latency_ms=1)
    answers: list[int] = []

    def read():
        answers.append(requests.get(emu.base_url + "appchat/get", params={"access_token": token, "chatid": "team"},
                                    timeout=30).json()["errcode"])

    threads = [threading.Thread(target=read) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        assert _until(lambda: emu.load()["in_flight"] == 6), emu.load()
        assert emu.load()["peak_serving"] == 2, "more than the capacity were worked on at once"
        emu.set_faults(capacity=4)  # the line moves up when the capacity changes
        assert _until(lambda: emu.load()["peak_serving"] == 4), emu.load()
    finally:
        release.set()
        for t in threads:
            t.join(30)
    assert answers == [0] * 6
    load = emu.load()
    assert load == {"in_flight": 0, "peak_in_flight": 6, "peak_serving": 4}


def test_refusals_past_max_concurrent_neither_wait_in_line_nor_count_as_in_flight(emulator_factory):
    release = threading.Event()
    held = []

    def sleep(seconds):  # the first request is held in service; any other passes
        if not held:
            held.append(seconds)
            release.wait(30)

    emu = emulator_factory(seed=SEED, sleep=sleep)
    token = RawApi(emu).login()
    emu.set_faults(capacity=1, max_concurrent=1, latency_ms=1)
    first: list[int] = []
    thread = threading.Thread(target=lambda: first.append(requests.get(
        emu.base_url + "appchat/get", params={"access_token": token, "chatid": "team"}, timeout=30).json()["errcode"]))
    thread.start()
    try:
        assert _until(lambda: held and emu.load()["in_flight"] == 1)
        for _ in range(3):
            again = requests.get(emu.base_url + "appchat/get", params={"access_token": token, "chatid": "team"},
                                 timeout=30).json()
            assert again["errcode"] == 45033
        # refused on arrival: a refusal neither waited for the request in
        # service nor counted as in flight (so it cannot crowd out the next)
        assert emu.load()["in_flight"] == 1 and emu.load()["peak_in_flight"] == 1
    finally:
        release.set()
        thread.join(30)
    assert first == [0]


def test_refusals_in_their_latency_hold_no_place_in_line(emulator_factory):
    # Every request, refused ones too, is held in its latency until released,
    # so refusals are in flight while the one real request is in service.
    release = threading.Event()
    sleeping = Recorded()

    def sleep(seconds):
        sleeping(seconds)
        release.wait(30)

    emu = emulator_factory(seed=SEED, sleep=sleep)
    token = RawApi(emu).login()  # no latency yet: no sleep
    emu.set_faults(capacity=1, max_concurrent=1, latency_ms=1)
    answers: list[int] = []

    def read():
        answers.append(requests.get(emu.base_url + "appchat/get", params={"access_token": token, "chatid": "team"},
                                    timeout=30).json()["errcode"])

    first = threading.Thread(target=read)
    first.start()
    refused = [threading.Thread(target=read) for _ in range(3)]
    try:
        assert _until(lambda: len(sleeping.seconds) == 1)
        for t in refused:
            t.start()
        assert _until(lambda: len(sleeping.seconds) == 4), sleeping.seconds
        load = emu.load()
        assert load["peak_serving"] == 1, f"refusals took a place in line: {load}"
        assert load["in_flight"] == 1
    finally:
        release.set()
        for t in (first, *refused):
            t.join(30)
    assert sorted(answers) == [0, 45033, 45033, 45033]
    assert emu.load()["peak_serving"] == 1


def test_load_over_http_and_reset(emulator):
    admin = emulator.admin_url
    RawApi(emulator).login()
    assert requests.get(admin + "load", timeout=10).json() == {"in_flight": 0, "peak_in_flight": 1,
                                                               "peak_serving": 1}
    requests.post(admin + "reset", json={}, timeout=10)
    assert requests.get(admin + "load", timeout=10).json()["peak_in_flight"] == 0
    answer = requests.post(admin + "faults", json={"latency_jitter_ms": 5, "capacity": 3}, timeout=10).json()
    assert (answer["latency_jitter_ms"], answer["capacity"]) == (5, 3)
    bad = requests.post(admin + "faults", json={"capacity": -1}, timeout=10)
    assert bad.status_code == 400 and "capacity" in bad.json()["error"]


def test_cli_options_reach_the_config():
    import argparse

    p = argparse.ArgumentParser()
    add_arguments(p)
    config = config_from_args(p.parse_args(["--latency-ms", "200", "--latency-jitter-ms", "50", "--capacity", "20",
                                            "--corp-id", TEST_CORP_ID, "--corp-secret", TEST_CORP_SECRET]))
    assert (config.latency_ms, config.latency_jitter_ms, config.capacity) == (200, 50, 20)
