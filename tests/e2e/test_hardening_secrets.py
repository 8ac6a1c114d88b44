"""Issue 7's secrets sweep: one test runs every command that can meet the
secret, with -v, in a real subprocess (so stderr carries the real -v log
handler's output), across the fault cases, and looks for the marker secret
and every access token the emulator issued in everything the runs left:
stdout, stderr, the saved plans, the import output and the apply reports
(apply --format json prints its report on stdout) -- raw and URL-encoded.
Then the same for `appchat emulator -v` itself, in its own process.

Narrower sweeps exist and stay: the client alone (tests/test_client_secrets.py)
and plan/import in process (tests/test_cmd_plan_secrets.py)."""

from __future__ import annotations

import pytest

import re
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, quote_plus

import requests

from tests.helpers import REPO, run_cli, subprocess_env
from tests.app.support import chat, write_chats

# '+', '/', '=' and a space encode differently in a URL, so a leak through a
# URL shows up encoded and the raw search alone would miss it.
MARKER = "MARKER-s3cr+t/9f=Q 7d"
WRONG = "WRONG-" + MARKER
CORP = "wwsweepcorp"

SEED = {"chats": [chat("sre", ["alice", "bob", "dave"], owner="alice", name="SRE"),
                  chat("ops", ["erin", "frank"], owner="erin", name="Ops"),
                  chat("same", ["alice", "bob"], owner="alice", name="Same")]}
DESIRED = [chat("sre", ["alice", "bob", "carol"], owner="alice", name="SRE"),
           chat("ops", ["erin", "frank"], owner="erin", name="Operations"),
           chat("same", ["alice", "bob"], owner="alice", name="Same"),
           chat("fresh", ["gina", "hank"], owner="gina", name="Fresh")]

WIRE_FAULTS = {"busy_rate": 0.1, "drop_rate": 0.1, "garbage_rate": 0.1, "http_error_rate": 0.1,
               "http_error_status": 503}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value), quote(value)}


def _leaks(text: str, secrets: set[str]) -> list[str]:
    found = [f"{value[:12]}... as {form!r}" for value in secrets for form in _forms(value) if form in text]
    # a credential parameter printed with any value but the mask is a leak too
    found += re.findall(r"(?:corpsecret|access_token)=(?!\*\*\*|%2A%2A%2A)[^&\s\"']+", text)
    return found


def _commands(root: Path, tag: str) -> tuple[list[tuple[str, list]], list[tuple[str, list]]]:
    """(read-only runs, run together; writing runs, one after the other)."""
    out, good = root / tag, root / "good-run"
    out.mkdir()
    reading = [
        ("validate", ["validate", "chats", "-v"]),
        ("plan text", ["plan", "chats", "-v", "--out", out / "plan-text.json"]),
        ("plan json", ["plan", "chats", "-v", "--format", "json", "--out", out / "plan-json.json"]),
        ("plan markdown", ["plan", "chats", "-v", "--format", "markdown", "--out", out / "plan-md.json"]),
        ("import", ["import", "sre", "ops", "-v", "-o", out / "imported.yaml"]),
        ("import unknown chat", ["import", "sre", "ghost", "-v"]),
        ("who --live", ["who", "alice", "chats", "--live", "-v"]),
    ]
    (root / "attach.log").write_text("build log\n", encoding="utf-8")
    writing = [
        ("send", ["send", "sre", "--text", "hello", "-v"]),
        ("send a file", ["send", "sre", "--file", root / "attach.log", "-v"]),  # media/upload, then send
        # the good run's plans: reset() puts the chats back to their `before`, so
        # they are fresh in every case, whatever this case's own plan got to read
        ("apply --plan json", ["apply", "--plan", good / "plan-json.json", "--format", "json", "-v"]),
        ("apply --plan text", ["apply", "--plan", good / "plan-text.json", "--format", "text", "-v"]),
        ("apply paths text", ["apply", "chats", "--yes", "-v"]),
        ("apply paths json", ["apply", "chats", "--yes", "--format", "json", "-v"]),
    ]
    return reading, writing


@pytest.mark.slow
def test_no_command_leaks_the_secret_or_a_token(emulator_factory, tmp_path):
    emu = emulator_factory(corp_id=CORP, corp_secret=MARKER, seed=SEED)
    write_chats(tmp_path, DESIRED)
    tokens: set[str] = set()
    lock = threading.Lock()
    revoke = {"every": 0, "count": 0}

    def watching(event, method, path):
        # remember every token before it can be forgotten; revoke on schedule
        with lock:
            tokens.update(emu.issued_tokens())
            if event == "request":
                revoke["count"] += 1
                if revoke["every"] and revoke["count"] % revoke["every"] == 0:
                    emu.set_faults(invalidate_tokens=True)
    emu.add_hook(watching)

    good = {"WECOM_CORP_ID": CORP, "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": emu.base_url,
            "APPCHAT_LOCK_DIR": str(tmp_path)}
    cases = {
        "good run": ({}, {}, 0),
        "wrong secret": ({"WECOM_CORP_SECRET": WRONG}, {}, 0),
        "unreachable base": ({"WECOM_API_BASE": f"http://127.0.0.1:{_closed_port()}/cgi-bin/"}, {}, 0),
        "busy, drop, garbage, 5xx": ({}, WIRE_FAULTS, 0),
        "token invalidation mid-run": ({}, {}, 4),
    }
    collected: list[tuple[str, str]] = []  # (where, text)
    outcomes: dict[tuple[str, str], int] = {}
    seen: dict[str, dict] = {}
    for case, (env_change, faults, every) in cases.items():
        emu.reset()
        emu.set_faults(**faults)
        revoke["every"], revoke["count"] = every, 0
        env = {**good, **env_change}
        reading, writing = _commands(tmp_path, re.sub(r"\W+", "-", case))

        def one(item, env=env, case=case):
            name, argv = item
            code, out, err = run_cli(argv, env, cwd=tmp_path, timeout=120)
            return case, name, code, out, err

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(one, reading))
        results += [one(item) for item in writing]
        for case_, name, code, out, err in results:
            outcomes[(case_, name)] = code
            collected.append((f"{case_} / {name} stdout", out))
            collected.append((f"{case_} / {name} stderr", err))
            assert "Traceback" not in err, f"{case_} / {name}: {err}"
        calls = emu.calls()
        seen[case] = {"faults": sum(1 for c in calls if c["fault"]),
                      "40014": sum(1 for c in calls if c["errcode"] == 40014)}
        for path in (tmp_path / re.sub(r"\W+", "-", case)).iterdir():
            collected.append((f"{case} / file {path.name}", path.read_text(encoding="utf-8")))

    # The sweep saw what it claims to: tokens were issued (and revoked), the
    # -v log was on, the failing cases failed, the good one planned and applied.
    assert len(tokens) >= 2, "token invalidation issued no second token"
    assert outcomes[("good run", "plan json")] == 0 and outcomes[("good run", "apply paths text")] == 0
    assert outcomes[("good run", "apply --plan json")] == 0
    assert outcomes[("good run", "send a file")] == 0
    for case in ("wrong secret", "unreachable base"):
        assert all(code == 1 for (c, name), code in outcomes.items() if c == case and name != "validate"), [k for k, v in outcomes.items() if k[0] == case and v != 1]
    assert any("DEBUG" in text for where, text in collected if where.endswith("stderr")), "no -v log seen"
    assert any(where.endswith("plan-json.json") for where, _ in collected)
    assert any(where.endswith("imported.yaml") for where, _ in collected)
    assert outcomes[("good run", "import unknown chat")] == 1
    assert seen["busy, drop, garbage, 5xx"]["faults"] >= 4, seen
    assert seen["token invalidation mid-run"]["40014"] >= 1, seen

    secrets = {MARKER, WRONG} | tokens
    leaks = {where: _leaks(text, secrets) for where, text in collected}
    assert not {w: found for w, found in leaks.items() if found}


def test_emulator_output_leaks_nothing(tmp_path):
    """`appchat emulator -v`: its stdout and its -v log (stderr) under a good
    run, a wrong secret and faults, never show the secret or the token."""
    write_chats(tmp_path, DESIRED)
    proc = subprocess.Popen([sys.executable, "-m", "reconciler", "emulator", "-v", "--port", "0",
                             "--corp-id", CORP, "--corp-secret", MARKER, "--busy-rate", "0.2",
                             "--garbage-rate", "0.1", "--fault-path", "appchat/get"],  # reads retry them
                            cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        first = proc.stdout.readline()
        base = first.split()[-1]
        env = {"WECOM_CORP_ID": CORP, "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": base,
               "APPCHAT_LOCK_DIR": str(tmp_path)}
        runs = [run_cli(["plan", "chats", "-v"], env, cwd=tmp_path),
                run_cli(["apply", "chats", "--yes", "-v"], env, cwd=tmp_path),
                run_cli(["plan", "chats", "-v"], {**env, "WECOM_CORP_SECRET": WRONG}, cwd=tmp_path)]
        # while valid, gettoken hands out the same token: the one the runs used
        token = requests.get(base + "gettoken", params={"corpid": CORP, "corpsecret": MARKER},
                             timeout=10).json().get("access_token")
        if token is None:  # a busy/garbage answer: ask again
            token = requests.get(base + "gettoken", params={"corpid": CORP, "corpsecret": MARKER},
                                 timeout=10).json()["access_token"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        out = first + out
    assert runs[1][0] == 0 and runs[2][0] == 1, runs
    assert "listening on" in out and "DEBUG" in err, err  # the -v log was there to check
    assert "gettoken" in err  # request lines are logged...
    texts = {"emulator stdout": out, "emulator stderr": err}
    texts.update({f"run {i} {k}": v for i, r in enumerate(runs) for k, v in (("out", r[1]), ("err", r[2]))})
    leaks = {where: _leaks(text, {MARKER, WRONG, token}) for where, text in texts.items()}
    assert not {w: found for w, found in leaks.items() if found}  # ...with the secrets masked


@pytest.mark.slow
def test_issue_12_paths_leak_nothing(emulator_factory, tmp_path):
    """The paths issue 12 added: the refusal of a plan made against another
    target (also when the base carries a proxy's user:password@), and the
    report of an interrupted apply, text and JSON, each with -v in its own
    process."""
    emu = emulator_factory(corp_id=CORP, corp_secret=MARKER, seed=SEED, latency_ms=100)
    write_chats(tmp_path, DESIRED)
    good = {"WECOM_CORP_ID": CORP, "WECOM_CORP_SECRET": MARKER, "WECOM_API_BASE": emu.base_url,
            "APPCHAT_LOCK_DIR": str(tmp_path)}
    collected: list[tuple[str, str]] = []
    plan = tmp_path / "plan.json"
    code, out, err = run_cli(["plan", "chats", "-v", "--out", plan], good, cwd=tmp_path)
    assert code == 0, err
    collected += [("plan stdout", out), ("plan stderr", err), ("plan file", plan.read_text(encoding="utf-8"))]
    emu.clear_calls()
    userinfo = emu.base_url.replace("http://", f"http://proxy:{quote(MARKER, safe='')}@")
    elsewhere = [("another corp", {**good, "WECOM_CORP_ID": "wwelsewhere", "WECOM_CORP_SECRET": WRONG}),
                 ("a base with user:password@", {**good, "WECOM_API_BASE": userinfo})]
    for name, env in elsewhere:
        for fmt in ("text", "json"):
            code, out, err = run_cli(["apply", "--plan", plan, "--format", fmt, "-v"], env, cwd=tmp_path)
            assert code == 1 and "a saved plan is applied only against the target it was made against" in err
            collected += [(f"{name} {fmt} stdout", out), (f"{name} {fmt} stderr", err)]
    assert "targets corp wwtestcorp" not in collected[-1][1] and "***@127.0.0.1" in collected[-1][1]
    assert emu.calls() == []  # refused before any request, the secret never sent anywhere

    # an interrupted apply, SIGTERM sent once its first write took effect
    for fmt in ("text", "json"):
        emu.reset()
        fired = threading.Event()
        box: list = []

        def hook(event, method, path, fired=fired, box=box):
            if event == "reply" and path in ("appchat/update", "appchat/create") and not fired.is_set():
                fired.set()
                box[0].send_signal(signal.SIGTERM)
        emu.add_hook(hook)
        proc = subprocess.Popen([sys.executable, "-m", "reconciler", "apply", "chats", "--yes", "--concurrency", "1",
                                 "--format", fmt, "-v"], cwd=tmp_path, env=subprocess_env(good),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        box.append(proc)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 1 and "interrupted by SIGTERM" in err, err
        assert "DEBUG" in err  # the -v log was there to check
        collected += [(f"interrupted {fmt} stdout", out), (f"interrupted {fmt} stderr", err)]
    tokens = set(emu.issued_tokens())
    assert tokens
    leaks = {where: _leaks(text, {MARKER, WRONG} | tokens) for where, text in collected}
    assert not {w: found for w, found in leaks.items() if found}
