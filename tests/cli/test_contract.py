"""What the contract fixes for the command line itself: exit codes (2 is
only `plan --detailed-exitcode`'s "changes present", so a usage error is 1),
`--help` on every command, PATHs wherever they stand, `-v` on stderr only."""

from __future__ import annotations

import json

import pytest

from tests.helpers import env_for, run_cli

from reconciler import cli
from reconciler.cli.parser import COMMANDS


@pytest.mark.parametrize("argv", [
    ["plan", "--detailed-exitcode", "--format", "yaml"],  # a drift check with a typo is an error, not drift
    ["plan", "--detailed-exitcode", "--no-such-flag"],
    ["apply", "--max-removal-ratio", "2"],
    ["apply", "--max-addition-ratio", "-0.5"],
    ["apply", "--max-addition-ratio", "inf"],
    ["apply", "--max-additions", "-1"],
    ["apply", "--max-additions", "1.5"],
    ["send", "team", "--text", "a", "--markdown", "b"],
    ["nosuch"],
    [],
])
def test_usage_errors_exit_1_with_the_usage_on_stderr(argv):
    code, out, err = run_cli(argv, env={"WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin/"}, timeout=30)
    assert code == 1, (code, err)
    assert out == ""
    assert "usage: appchat" in err and "error:" in err


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_exits_0_on_stdout(command):
    code, out, err = run_cli([*command, "--help"], timeout=30)
    assert code == 0 and err == ""
    assert out.startswith("usage: appchat")


@pytest.mark.parametrize("argv, field, expected", [
    (["who", "bob", "--live", "chats", "more"], "paths", ["chats", "more"]),
    (["validate", "a", "-v", "b"], "paths", ["a", "b"]),
    (["plan", "a", "--format", "json", "b", "--target", "t"], "paths", ["a", "b"]),
    (["apply", "a", "--yes", "b"], "paths", ["a", "b"]),
    (["import", "c1", "-o", "out.yaml", "c2"], "chat_ids", ["c1", "c2"]),
])
def test_positionals_after_an_option_are_still_positionals(argv, field, expected):
    args = cli.parse(argv)
    assert getattr(args, field) == expected
    assert args.command == argv[0]


# command -> the words of a typical run: positionals and an option with a value
TYPICAL = {
    "validate": ["chats", "more"],
    "plan": ["chats", "--format", "json", "--target", "t"],
    "apply": ["chats", "--yes", "--max-removal-ratio", "0.5"],
    "show": ["plan", "--format", "markdown"],  # a plan file named like a command
    "import": ["c1", "-o", "out.yaml", "c2"],
    "send": ["team", "--text", "hi"],
    "who": ["bob", "chats", "--live"],
    "expiring": ["chats", "--within", "7", "--format", "json"],
    "history": ["vera", "--chat", "ops", "--at", "2027-03-01", "--ledger", "led"],
    "schema": [],
    "emulator": ["--port", "0", "--latency-ms", "5"],
}


def test_every_command_has_a_typical_run_here():
    assert set(TYPICAL) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_options_may_stand_before_the_command_after_it_or_after_its_paths(command):
    words = TYPICAL[command]
    runs = [cli.parse(["-v", command, *words]), cli.parse([command, "-v", *words]), cli.parse([command, *words, "-v"])]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].verbose and runs[0].command == command


def test_an_option_with_a_value_may_stand_before_the_command():
    assert cli.parse(["--format", "json", "plan", "chats"]) == cli.parse(["plan", "chats", "--format", "json"])
    assert cli.parse(["--target", "plan", "plan"]).target == ["plan"]  # a value that looks like a command


def test_verbose_before_the_command_is_one_run_end_to_end(emulator, tmp_path):
    # `appchat -v plan chats` once read `plan` as a path (plan:1:1: no such file).
    (tmp_path / "c.yaml").write_text("chats:\n  team:\n    name: Team\n    owner: alice\n"
                                     "    members: [alice, bob]\n", encoding="utf-8")
    for argv in (["-v", "plan", tmp_path], ["plan", "-v", tmp_path], ["plan", tmp_path, "-v"]):
        code, out, err = run_cli([*argv, "--format", "json"], env=env_for(emulator))
        assert code == 0, err
        assert json.loads(out)["summary"]["create"] == 1 and "DEBUG" in err


def test_who_keeps_the_user_id_apart_from_the_paths():
    args = cli.parse(["who", "bob", "--live", "chats"])
    assert (args.user_id, args.paths, args.live) == ("bob", ["chats"], True)


def test_verbose_logs_debug_on_stderr_and_keeps_stdout_the_result(emulator, tmp_path):
    (tmp_path / "c.yaml").write_text("chats:\n  team:\n    name: Team\n    owner: alice\n"
                                     "    members: [alice, bob]\n", encoding="utf-8")
    code, out, err = run_cli(["plan", "-v", "--format", "json", tmp_path / "c.yaml"], env=env_for(emulator))
    assert code == 0, err
    assert json.loads(out)["summary"]["create"] == 1  # no log line leaked into the result
    assert "DEBUG" in err and "gettoken" in err
    code, out, err = run_cli(["plan", "--format", "json", tmp_path / "c.yaml"], env=env_for(emulator))
    assert code == 0 and "DEBUG" not in err


@pytest.mark.parametrize("argv, unknown, suggested", [
    (["plan", "--detailed-exitcod", "chats"], "--detailed-exitcod", "--detailed-exitcode"),
    (["plan", "--form", "json", "chats"], "--form", "--format"),
    (["apply", "--ye", "chats"], "--ye", "--yes"),
    (["--verb", "validate", "chats"], "--verb", "--verbose"),
])
def test_options_are_never_abbreviated(argv, unknown, suggested):
    # An abbreviation accepted today is a script broken by tomorrow's option.
    code, out, err = run_cli(argv, env={"WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin/"}, timeout=30)
    assert code == 1 and out == ""
    assert f"unrecognized arguments: {unknown}" in err
    assert f"did you mean {suggested}?" in err


def test_every_parser_refuses_abbreviations():
    parser = cli.build_parser()
    from reconciler.cli.parser import subparsers

    assert not parser.allow_abbrev
    assert all(not p.allow_abbrev for p in subparsers(parser).values())


def test_a_single_dash_long_option_suggests_the_double_dash():
    code, out, err = run_cli(["plan", "-out", "plan.json", "chats"], timeout=30)
    assert code == 1 and out == ""
    assert "unrecognized arguments: -out; did you mean --out?" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_fits_a_60_column_terminal(command, monkeypatch):
    # `send --help` once had a 184-character usage line: argparse writes a
    # mutually exclusive group on one line whatever the width.
    from reconciler.cli.parser import subparsers

    monkeypatch.setenv("COLUMNS", "60")
    text = subparsers(cli.build_parser())[command].format_help()
    too_long = [line for line in text.splitlines() if len(line) > 60]
    assert not too_long and text.startswith(f"usage: appchat {command}")
