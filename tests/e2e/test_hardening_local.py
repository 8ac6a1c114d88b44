"""Issue 20, items 4-10, end to end: what a careless or hostile local user
can hand appchat (a planted lock link, a password in WECOM_API_BASE, a chat
file linking out to a .env, a hostile plan file, dates past the calendar, a
FIFO, a huge chat file), each in its own process against the emulator over
HTTP: exit 1, one error line, no traceback, nothing leaked, nothing written;
with --format json, stdout is exactly one JSON report."""

from __future__ import annotations

import json
import os

import pytest

from tests.app.support import chat
from tests.helpers import env_for, run_cli

SECRET = "WECOM_CORP_SECRET=s3cr3t-from-the-dotenv-file-0042"
PASSWORD = "Gw/Passw0rd"
SEED = {"chats": [chat("team", ["alice", "bob", "carol"], owner="alice", name="Team")]}
CHATS = "chats:\n  team:\n    name: Team\n    owner: alice\n    members: [alice, bob]\n"
TIMEOUT_S = 60  # a hang guard, not a speed assertion


@pytest.fixture
def world(emulator_factory, tmp_path):
    """An emulator whose `team` differs from the files (so apply would write),
    the files in tmp_path/chats, and a private lock directory."""
    emu = emulator_factory(seed=SEED)
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "team.yaml").write_text(CHATS, encoding="utf-8")
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    env = {**env_for(emu), "APPCHAT_LOCK_DIR": str(locks)}
    return emu, tmp_path, env


def appchat(world, *argv, env=None, timeout=TIMEOUT_S):
    emu, root, base_env = world
    return run_cli(argv, {**base_env, **(env or {})}, cwd=root, timeout=timeout)


def one_error(err: str) -> str:
    """The run's one error line; no traceback."""
    assert "Traceback" not in err and "Error:" not in err.replace("error:", ""), err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    return lines[0]


def refusal(out: str) -> str:
    """stdout is exactly one JSON report, of a run that applied nothing."""
    report = json.loads(out)
    assert report["outcomes"] == [] and report["summary"]["applied"] == 0
    (reason,) = report["refusals"]
    return reason


# ---------------------------------------------------------------- item 4: the lock

def test_a_symlink_planted_as_the_apply_lock_is_refused_and_its_target_untouched(world):
    emu, root, env = world
    from reconciler.app.lock import ApplyLock
    from reconciler.app.session import target_from_env

    victim = root / "ci-user-file.txt"
    victim.write_text("do not overwrite\n", encoding="utf-8")
    lock_path = ApplyLock(target_from_env(env), env).path
    os.symlink(victim, lock_path)
    code, out, err = appchat(world, "apply", "--yes", "--format", "json", "chats")
    assert code == 1
    assert f"the apply lock file {lock_path} is a symlink" in refusal(out)
    assert "is a symlink" in one_error(err)
    assert victim.read_text(encoding="utf-8") == "do not overwrite\n"
    assert emu.calls() == []
    # a lock directory others can write to is refused the same way, nothing created in it
    shared = root / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    code, out, err = appchat(world, "apply", "--yes", "--format", "json", "chats",
                             env={"APPCHAT_LOCK_DIR": str(shared)})
    assert code == 1 and "writable by other users" in refusal(out) and "writable" in one_error(err)
    assert os.listdir(shared) == [] and emu.calls() == []


# ---------------------------------------------------------------- item 5: WECOM_API_BASE's password

def test_a_password_in_the_api_base_never_appears_whatever_it_contains(world):
    emu, root, env = world
    unusable = f"https://gw:{PASSWORD}@gateway.example/cgi-bin/"
    code, out, err = appchat(world, "plan", "chats", env={"WECOM_API_BASE": unusable})
    assert code == 1 and "***@gateway.example" in one_error(err)
    code, out, err = appchat(world, "apply", "--yes", "--format", "json", "chats", env={"WECOM_API_BASE": unusable})
    assert code == 1 and "***@gateway.example" in refusal(out)
    assert PASSWORD not in out + err and "Passw0rd" not in out + err
    # a usable base carrying a proxy's password: the run works, and shows the base masked
    usable = emu.base_url.replace("http://", "http://gw:Gw%2FPassw0rd%40x@")
    code, out, err = appchat(world, "plan", "--format", "json", "chats", env={"WECOM_API_BASE": usable})
    assert code in (0, 2), err
    assert json.loads(out)["target"]["api_base"].startswith("http://***@127.0.0.1:")
    assert "Passw0rd" not in out + err and "Gw%2F" not in out + err


# ---------------------------------------------------------------- item 6: a chat file linking out

def test_a_chat_file_linking_outside_its_directory_is_refused_and_the_secret_never_shown(world):
    emu, root, env = world
    (root / ".env").write_text(SECRET + "\n", encoding="utf-8")
    os.symlink("../.env", root / "chats" / "settings.yaml")
    code, out, err = appchat(world, "validate", "chats")
    assert code == 1
    assert one_error(err) == ("chats/settings.yaml:1:1: error: chats/settings.yaml is a symlink to a file "
                              "outside chats: not read (name the file itself on the command line to read it)")
    code, out, err = appchat(world, "apply", "--yes", "--format", "json", "chats")
    assert code == 1 and "not valid" in refusal(out)
    for text in (out, err):
        assert "s3cr3t" not in text and "WECOM_CORP_SECRET=" not in text
    assert emu.calls() == []


# ---------------------------------------------------------------- item 7: hostile plan files

def _deep_plan() -> str:
    return '{"format_version": 1, "changes": ' + "[" * 3000 + "]" * 3000 + ', "digest": "sha256:0"}'


def _long_number_plan() -> str:
    return '{"format_version": 1, "changes": [' + "7" * 5000 + '], "digest": "sha256:0"}'


@pytest.mark.parametrize("make, message", [(_deep_plan, "nested too deep"),
                                           (_long_number_plan, "a number too long")])
def test_a_plan_nested_3000_deep_or_with_a_5000_digit_number_is_one_json_report(world, make, message):
    emu, root, env = world
    (root / "plan.json").write_text(make(), encoding="utf-8")
    code, out, err = appchat(world, "apply", "--plan", "plan.json", "--format", "json")
    assert code == 1
    assert message in refusal(out) and message in one_error(err)
    assert emu.calls() == []


def test_a_plan_over_256_mb_is_refused_unread(world):
    emu, root, env = world
    with open(root / "plan.json", "wb") as f:
        f.write(b'{"format_version": 1, "changes": [')
        f.truncate(256 * 1024 * 1024 + 1)  # sparse: nothing like 256 MB is written
    code, out, err = appchat(world, "apply", "--plan", "plan.json", "--format", "json")
    assert code == 1
    assert "plan file plan.json is larger than 256 MB" in refusal(out) and "not read" in one_error(err)
    assert emu.calls() == []


# ---------------------------------------------------------------- item 8: dates

@pytest.mark.parametrize("argv", [["plan", "--today", "9999-12-25", "chats"],
                                  ["apply", "--yes", "--today", "9999-12-31", "--format", "json", "chats"],
                                  ["expiring", "--within", "3000000", "chats"],
                                  ["who", "alice", "--live", "--today", "1899-12-31", "chats"]])
def test_dates_past_the_bounds_are_usage_errors_before_any_request(world, argv):
    emu, root, env = world
    code, out, err = appchat(world, *argv)
    assert code == 1
    line = one_error(err)
    assert "must be a date from 1900-01-01 to 9998-12-31" in line or "must be 0 to 3650" in line
    if "--format" in argv:
        assert refusal(out).endswith(line.split(": error: ", 1)[1])
    else:
        assert out == ""
    assert emu.calls() == []


# ---------------------------------------------------------------- item 9: a FIFO for send

@pytest.mark.parametrize("flag, name", [("--image", "photo.jpg"), ("--file", "report.pdf"),
                                        ("--message", "message.yaml")])
def test_send_refuses_a_fifo_at_once(world, flag, name):
    emu, root, env = world
    os.mkfifo(root / name)  # nobody ever writes to it: reading it would wait forever
    code, out, err = appchat(world, "send", "team", flag, name, timeout=TIMEOUT_S)
    assert code == 1
    assert f"{name}: not a regular file (a FIFO, a device or a directory): not read" in one_error(err)
    assert emu.calls() == []


# ---------------------------------------------------------------- item 10: a huge chat file

def test_a_chat_file_over_32_mb_is_refused_at_the_file_before_it_is_parsed(world):
    emu, root, env = world
    with open(root / "chats" / "dump.yaml", "wb") as f:
        f.write(b"chats:\n  x: [")
        f.truncate(32 * 1024 * 1024 + 1)  # sparse
    code, out, err = appchat(world, "validate", "chats")
    assert code == 1
    assert one_error(err).startswith("chats/dump.yaml:1:1: error: chats/dump.yaml is larger than 32 MB")
    code, out, err = appchat(world, "apply", "--yes", "--format", "json", "chats")
    assert code == 1 and "not valid" in refusal(out)
    assert emu.calls() == []

