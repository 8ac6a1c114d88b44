"""Exit codes the contract fixes for the command line itself: 2 is only
`plan --detailed-exitcode`'s "changes present", so a usage error is 1."""

from __future__ import annotations

import pytest

from helpers import run_cli

from reconciler import cli


@pytest.mark.parametrize("argv", [
    ["plan", "--detailed-exitcode", "--format", "yaml"],  # a drift check with a typo is an error, not drift
    ["plan", "--detailed-exitcode", "--no-such-flag"],
    ["apply", "--max-removal-ratio", "2"],
    ["send", "team", "--text", "a", "--markdown", "b"],
    ["nosuch"],
    [],
])
def test_usage_errors_exit_1_with_the_usage_on_stderr(argv):
    code, out, err = run_cli(argv, env={"WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin/"}, timeout=30)
    assert code == 1, (code, err)
    assert out == ""
    assert "usage: appchat" in err and "error:" in err


@pytest.mark.parametrize("command", [[], *([name] for name in cli.COMMANDS)])
def test_help_exits_0_on_stdout(command):
    code, out, err = run_cli([*command, "--help"], timeout=30)
    assert code == 0 and err == ""
    assert out.startswith("usage: appchat")
