"""Helpers other test files import: `from tests.helpers import env_for, run_cli`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_CORP_ID = "wwtestcorp"
TEST_CORP_SECRET = "test-secret-DO-NOT-LEAK"


def env_for(emu) -> dict[str, str]:
    """The environment a reconciler command needs to talk to `emu`."""
    return {"WECOM_CORP_ID": emu.config.corp_id, "WECOM_CORP_SECRET": emu.config.corp_secret,
            "WECOM_API_BASE": emu.base_url}


def subprocess_env(env: dict[str, str | None] | None = None) -> dict[str, str]:
    """This process's environment without WECOM_* / NO_COLOR, plus `env`
    (a None value removes a variable), with the working tree importable."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_") and k != "NO_COLOR"}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return full


def run_cli(argv, env: dict[str, str | None] | None = None, *, timeout: float = 60,
            input: str | None = None, cwd: str | os.PathLike | None = None) -> tuple[int, str, str]:
    """Run `python -m reconciler ARGV` in a subprocess: (exit code, stdout, stderr).
    stdin is empty (not a terminal) unless `input` is given."""
    proc = subprocess.run([sys.executable, "-m", "reconciler", *map(str, argv)],
                          env=subprocess_env(env), input=input if input is not None else "",
                          capture_output=True, text=True, timeout=timeout, cwd=cwd or REPO)
    if proc.returncode >= 0:  # ended by itself, not killed: its JSON meets the published schema
        _check_json(argv, proc.stdout)
    return proc.returncode, proc.stdout, proc.stderr


def _check_json(argv, out: str) -> None:
    from tests.json_schemas import check_output

    check_output(argv, out)


def wecom_env(monkeypatch, emu, **overrides: str | None) -> None:
    """Point this process's WECOM_* variables at `emu` (a None override unsets
    one) and drop NO_COLOR, for commands run in process."""
    env = {**env_for(emu), **overrides}
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("NO_COLOR", raising=False)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_in_process(capsys, *argv) -> Result:
    """`appchat ARGV` in this process (stdin/stdout are not terminals), with
    argparse's SystemExit turned into an exit code."""
    from reconciler import cli

    capsys.readouterr()
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    _check_json(argv, captured.out)
    return Result(code, captured.out, captured.err)


class FakeClock:
    """A clock for EmulatorConfig(clock=...): time moves only when told."""

    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RawApi:
    """A deliberately thin HTTP client for emulator tests: no retries, no
    token refresh, answers returned as parsed JSON (errors included)."""

    def __init__(self, emu, corp_id: str | None = None, secret: str | None = None):
        import requests

        self.emu = emu
        self.http = requests.Session()
        self.corp_id = corp_id or emu.config.corp_id
        self.secret = secret or emu.config.corp_secret
        self.token: str | None = None

    def gettoken(self, **params) -> dict:
        params = params or {"corpid": self.corp_id, "corpsecret": self.secret}
        return self.http.get(self.emu.base_url + "gettoken", params=params, timeout=10).json()

    def login(self) -> str:
        answer = self.gettoken()
        assert answer["errcode"] == 0, answer
        self.token = answer["access_token"]
        return self.token

    def _token(self) -> str:
        return self.token or self.login()

    def get(self, chat_id, **extra) -> dict:
        params = {"access_token": self._token(), "chatid": chat_id, **extra}
        return self.http.get(self.emu.base_url + "appchat/get", params=params, timeout=10).json()

    def post(self, path: str, body, *, raw: bytes | None = None, headers=None) -> dict:
        data = raw if raw is not None else __import__("json").dumps(body, ensure_ascii=False).encode("utf-8")
        return self.http.post(self.emu.base_url + path, params={"access_token": self._token()},
                              data=data, headers=headers or {}, timeout=10).json()

    def create(self, chatid="team", name="Team", owner="alice", userlist=("alice", "bob"), **extra) -> dict:
        body = {"chatid": chatid, "name": name, "owner": owner, "userlist": list(userlist), **extra}
        return self.post("appchat/create", {k: v for k, v in body.items() if v is not None})

    def update(self, chatid="team", **fields) -> dict:
        return self.post("appchat/update", {"chatid": chatid, **fields})

    def send(self, chatid="team", msgtype="text", payload=None, **extra) -> dict:
        return self.post("appchat/send", {"chatid": chatid, "msgtype": msgtype,
                                          msgtype: payload if payload is not None else {"content": "hi"},
                                          **extra})

    def upload(self, kind: str | None, filename: str, data: bytes, field: str = "media") -> dict:
        """media/upload as requests builds a multipart form (as wechatpy does)."""
        params = {"access_token": self._token(), **({"type": kind} if kind is not None else {})}
        return self.http.post(self.emu.base_url + "media/upload", params=params,
                              files={field: (filename, data)}, timeout=30).json()
