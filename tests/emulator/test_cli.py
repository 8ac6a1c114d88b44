"""`appchat emulator` as a process: first line, options, clean stop on signals."""

import re
import signal
import subprocess
import sys

import pytest
import requests
from tests.helpers import run_cli, subprocess_env

LINE = re.compile(r"^listening on (http://127\.0\.0\.1:(\d+)/cgi-bin/)\n$")


class Proc:
    def __init__(self, *args):
        self.p = subprocess.Popen([sys.executable, "-m", "reconciler", "emulator", "--port", "0", *args],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
        self.first = self.p.stdout.readline()
        match = LINE.match(self.first)
        if not match:
            self.p.kill()
            raise AssertionError(f"unexpected first line {self.first!r}; stderr: {self.p.stderr.read()}")
        self.base = match.group(1)

    def token(self, corpid="wwdemo", secret="demo-secret") -> dict:
        return requests.get(self.base + "gettoken", params={"corpid": corpid, "corpsecret": secret}, timeout=10).json()

    def stop(self, sig=signal.SIGTERM) -> tuple[int, str, str]:
        self.p.send_signal(sig)
        out, err = self.p.communicate(timeout=30)
        return self.p.returncode, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_first_line_call_and_clean_stop(sig):
    proc = Proc("-v")
    try:
        answer = proc.token()
        assert answer["errcode"] == 0
        code, out, err = proc.stop(sig)
    finally:
        if proc.p.poll() is None:
            proc.p.kill()
    assert code == 0
    assert out == ""  # nothing on stdout after the first line
    assert "demo-secret" not in err and answer["access_token"] not in err
    assert "corpsecret=***" in err  # -v logs requests, redacted


def test_credentials_seed_and_faults_options(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("users: [alice, bob]\nchats:\n  - {chatid: team, name: Team, owner: alice, userlist: [alice, bob]}\n",
                    encoding="utf-8")
    proc = Proc("--corp-id", "wwmine", "--corp-secret", "s3cret", "--seed", str(seed), "--token-ttl", "60")
    try:
        assert proc.token()["errcode"] == 40013  # wwdemo is not this emulator's corp
        assert proc.token("wwmine", "wrong")["errcode"] == 40001
        answer = proc.token("wwmine", "s3cret")
        assert answer["errcode"] == 0 and answer["expires_in"] == 60
        info = requests.get(proc.base + "appchat/get", params={"access_token": answer["access_token"],
                                                                 "chatid": "team"}).json()
        assert info["chat_info"]["userlist"] == ["alice", "bob"]
        admin = proc.base.replace("/cgi-bin/", "/_emulator/")
        assert requests.get(admin + "counts").json() == {"appchat/get": 1, "gettoken": 3}
    finally:
        assert proc.stop()[0] == 0


def test_fault_and_limit_options():
    proc = Proc("--busy-rate", "1", "--fault-path", "appchat/get", "--creates-per-day", "0")
    try:
        token = proc.token()["access_token"]
        answer = requests.get(proc.base + "appchat/get", params={"access_token": token, "chatid": "x"}).json()
        assert answer["errcode"] == -1
        admin = proc.base.replace("/cgi-bin/", "/_emulator/")
        assert requests.get(admin + "limits").json()["creates_per_day"] == 0
    finally:
        assert proc.stop()[0] == 0


def test_the_departed_removal_errcode_option(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("users: [alice, bob]\nchats:\n  - {chatid: team, name: Team, owner: alice, "
                    "userlist: [alice, bob, gone]}\n", encoding="utf-8")
    proc = Proc("--seed", str(seed), "--departed-removal-errcode", "40003")
    try:
        token = proc.token()["access_token"]
        answer = requests.post(proc.base + "appchat/update", params={"access_token": token}, timeout=10,
                               json={"chatid": "team", "del_user_list": ["gone"]}).json()
        assert answer["errcode"] == 40003
    finally:
        assert proc.stop()[0] == 0


def test_state_file_shared_by_two_runs(tmp_path):
    state = str(tmp_path / "state.sqlite")
    first = Proc("--state", state)
    try:
        token = first.token()["access_token"]
        body = '{"chatid": "team", "name": "T", "owner": "a", "userlist": ["a", "b"]}'
        assert requests.post(first.base + "appchat/create", params={"access_token": token},
                             data=body).json()["errcode"] == 0
    finally:
        assert first.stop()[0] == 0
    second = Proc("--state", state)
    try:
        token = second.token()["access_token"]
        info = requests.get(second.base + "appchat/get", params={"access_token": token, "chatid": "team"}).json()
        assert info["chat_info"]["owner"] == "a"
    finally:
        assert second.stop()[0] == 0


def test_bad_seed_exits_1_with_a_message(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("chats: [{chatid: bad-id, owner: a, userlist: [a, b]}]\n", encoding="utf-8")
    code, out, err = run_cli(["emulator", "--port", "0", "--seed", str(seed)], timeout=30)
    assert code == 1 and out == ""
    assert "seed" in err and "invalid chatid" in err


@pytest.mark.parametrize("argv, message", [
    (["--busy-rate", "1.5"], "argument --busy-rate: must be between 0 and 1: '1.5'"),
    (["--port", "-1"], "argument --port: must be 0 or more: '-1'"),
    (["--port", "70000"], "argument --port: must be 0 to 65535: '70000'"),
    (["--token-ttl", "0"], "argument --token-ttl: must be more than 0: '0'"),
])
def test_bad_option_values_are_usage_errors(argv, message):
    code, out, err = run_cli(["emulator", *argv], timeout=30)
    assert code == 1  # usage errors exit 1: 2 is "changes present"
    assert err.splitlines()[-1] == f"appchat emulator: error: {message}"
    assert "Traceback" not in err and out == ""


def _state_cases(tmp_path):
    not_db = tmp_path / "notdb.sqlite"
    not_db.write_text("this is not a database\n" * 100, encoding="utf-8")
    other = tmp_path / "other.sqlite"
    import sqlite3
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE chats (id INTEGER PRIMARY KEY, title TEXT)")
    db.close()
    return {
        "not a database": (not_db, f"state file {not_db} is not an SQLite database: give a new file name, or "
                                   f"the file an earlier `appchat emulator --state` wrote"),
        "no directory": (tmp_path / "nonexistent" / "x.sqlite",
                         f"state file {tmp_path / 'nonexistent' / 'x.sqlite'}: no directory {tmp_path / 'nonexistent'}"),
        "a directory": (tmp_path, f"state file {tmp_path} is a directory"),
        "another program's database": (other, f"state file {other} is an SQLite database, but not one the "
                                              f"emulator wrote"),
    }


@pytest.mark.parametrize("case", ["not a database", "no directory", "a directory", "another program's database"])
def test_an_unusable_state_file_is_one_line_and_exit_1(tmp_path, case):
    # issue 12: these were sqlite3 tracebacks
    path, message = _state_cases(tmp_path)[case]
    before = path.read_bytes() if path.is_file() else None
    code, out, err = run_cli(["emulator", "--port", "0", "--state", str(path)], timeout=30)
    assert code == 1 and out == ""
    assert err == f"appchat emulator: error: {message}\n"
    if before is not None:
        assert path.read_bytes() == before  # the file is left as it was


@pytest.mark.parametrize("stored, why", [
    ('{"departments": []}', "departments: the root department (id 1, parentid 0) is missing"),
    ("{oops", "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ("[]", "not a JSON object"),
])
def test_a_damaged_directory_in_the_state_file_is_a_state_file_error(tmp_path, stored, why):
    import sqlite3

    from reconciler.emulator.seed import load_seed
    from reconciler.emulator.state import Store

    path = tmp_path / "state.sqlite"
    store = Store(str(path))
    store.load(load_seed(None))
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE org SET data = ?", (stored,))
    db.close()
    code, out, err = run_cli(["emulator", "--port", "0", "--state", str(path)], timeout=30)
    assert code == 1 and out == ""
    assert err == f"appchat emulator: error: state file {path}: its directory: {why}\n"


def test_a_port_in_use_is_one_line_naming_the_port_and_exit_1():
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run_cli(["emulator", "--port", str(port)], timeout=30)
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.startswith("appchat emulator: error: ") and len(err.splitlines()) == 1
    assert err == f"appchat emulator: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_help_lists_every_option():
    code, out, _ = run_cli(["emulator", "--help"], timeout=30)
    assert code == 0
    for option in ("--host", "--port", "--state", "--seed", "--corp-id", "--corp-secret", "--token-ttl",
                   "--latency-ms", "--busy-rate", "--drop-rate", "--overload-rate", "--max-concurrent",
                   "--slow-rate", "--slow-ms", "--garbage-rate", "--http-error-rate", "--http-error-status",
                   "--fault-path", "--random-seed", "--calls-per-minute", "--calls-per-hour",
                   "--changes-per-hour", "--creates-per-day", "--departed-removal-errcode"):
        assert option in out
