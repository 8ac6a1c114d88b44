"""An unreachable WECOM_API_BASE (a closed port on 127.0.0.1): one cause,
one line for every chat, directory chats included, and one connection
attempt for the host, since a refused connection is not retried. The
attempts are counted from `-v`'s log, one line per HTTP attempt. No timing
is asserted (benchmarks measure time)."""

from __future__ import annotations

import socket

from tests.helpers import run_cli

CHATS = """\
groups:
  staff: ["dept:3"]
chats:
  plain:
    name: Plain
    owner: alice
    members: [alice, bob]
  other:
    name: Other
    owner: alice
    members: [alice, carol]
  eng:
    name: Eng
    owner: alice
    members: [alice, "dept:2"]
  ops:
    name: Ops
    owner: alice
    members: [alice, "@staff", "tag:4"]
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on leaving: connecting is refused


def test_an_unreachable_api_is_one_line_for_every_chat_after_one_attempt(tmp_path):
    (tmp_path / "c.yaml").write_text(CHATS, encoding="utf-8")
    port = closed_port()
    env = {"WECOM_CORP_ID": "ww0123", "WECOM_CORP_SECRET": "s3cret-value",
           "WECOM_API_BASE": f"http://127.0.0.1:{port}/cgi-bin/"}
    for extra in ([], ["--check-users"]):
        code, out, err = run_cli(["plan", tmp_path, "-v", *extra], env)
        assert code == 1
        errors = [line for line in out.splitlines() if line.lstrip().startswith("!")]
        assert errors == [f"  ! 4 chats: GET gettoken: cannot connect to 127.0.0.1:{port} (connection refused or "
                          f"host unreachable): eng, ops, other, plain"]
        assert "dept:" not in out and "attempts" not in out
        attempts = [line for line in err.splitlines() if " chat=" in line and " status=" in line]
        assert len(attempts) == 1 and "GET gettoken" in attempts[0], err
        assert "s3cret-value" not in out + err
