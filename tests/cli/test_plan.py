"""`appchat plan` end to end: chat files on disk, the CLI in process, the
emulator over HTTP. Every assertion is about what a user or a pipeline sees:
stdout, stderr, the exit code, the saved file, and the calls WeCom received."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.plan_fixtures import SEED, posts, run, wecom_env, write_files
from reconciler.core.planformat.writer import plan_data


@pytest.fixture
def emu(emulator_factory):
    return emulator_factory(seed=SEED)


@pytest.fixture
def chats(tmp_path, emu, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wecom_env(monkeypatch, emu)
    write_files(tmp_path)
    return Path("chats")  # relative, as a user types it: sources read chats/FILE:LINE


def _by_id(data):
    return {c["chat_id"]: c for c in data["changes"]}


# ---------------------------------------------------------------- formats

def test_json_plan_has_every_kind_of_change(chats, emu, capsys):
    r = run(capsys, "plan", chats, "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert list(data)[:5] == ["format_version", "changes", "unchanged", "errors", "summary"]
    assert data["format_version"] == 1
    changes = _by_id(data)
    assert sorted(changes) == ["big", "newchat", "ops", "sre"]
    assert [c["chat_id"] for c in data["changes"]] == ["big", "newchat", "ops", "sre"]

    sre = changes["sre"]
    assert sre["action"] == "update"
    assert sre["source"] == "chats/team.yaml:4"
    assert sre["before"] == {"name": "SRE On-call", "owner": "alice", "members": ["alice", "bob", "dave"]}
    assert sre["after"] == {"name": "SRE On-call", "owner": "alice", "members": ["alice", "bob", "carol"]}
    assert sre["calls"] == [{"method": "POST", "path": "appchat/update",
                             "body": {"chatid": "sre", "add_user_list": ["carol"], "del_user_list": ["dave"]}}]

    assert changes["ops"]["calls"] == [{"method": "POST", "path": "appchat/update",
                                        "body": {"chatid": "ops", "name": "Operations"}}]

    new = changes["newchat"]
    assert new["action"] == "create" and new["before"] is None
    assert new["source"] == "chats/more.yaml:6"
    assert new["calls"] == [{"method": "POST", "path": "appchat/create",
                             "body": {"chatid": "newchat", "name": "New Chat", "owner": "gina",
                                      "userlist": ["gina", "hank"]}}]

    big = changes["big"]
    assert big["calls"][0]["body"]["del_user_list"] == ["u6", "u7", "u8", "u9"]
    assert any("mass removal" in w for w in big["warnings"])

    assert data["unchanged"] == ["same"]
    assert data["errors"] == []
    assert data["summary"] == {"create": 1, "update": 3, "unchanged": 1, "errors": 0,
                               "members_added": 1, "members_removed": 5}


def test_text_plan_shows_adds_removals_rename_and_create(chats, capsys):
    r = run(capsys, "plan", chats)
    assert r.code == 0, r.err
    out = r.out
    assert "\x1b[" not in out  # stdout is not a terminal: no colour
    for chat_id in ("sre", "ops", "big", "newchat"):
        assert chat_id in out
    assert "+ carol" in out
    assert "- dave" in out
    assert '~ name: "Ops" -> "Operations"' in out
    assert "+ gina" in out and "+ hank" in out  # a created chat is shown in full
    assert "mass removal" in out
    # the unchanged chat is not presented as a change
    assert "+ alice" not in out


def test_markdown_plan_for_a_pull_request(chats, capsys):
    r = run(capsys, "plan", chats, "--format", "markdown")
    assert r.code == 0, r.err
    out = r.out
    assert "<!-- appchat-plan -->" in out
    table = out.index("| Create")  # the summary table comes first, the detail after it
    assert table < out.index("<details>")
    assert "| 1 | 3 | 1 | 0 |" in out
    for chat_id in ("sre", "ops", "big", "newchat"):
        assert f"<code>{chat_id}</code>" in out
    assert "dave" in out and "carol" in out and "Operations" in out
    assert "\x1b[" not in out


def test_plan_never_writes_and_reads_each_chat_once(chats, emu, capsys):
    emu.clear_calls()
    r = run(capsys, "plan", chats, "--format", "json")
    assert r.code == 0, r.err
    counts = emu.call_counts()
    assert counts == {"gettoken": 1, "appchat/get": 5}, counts
    assert posts(emu) == []
    read = sorted(c["query"]["chatid"] if isinstance(c["query"]["chatid"], str) else c["query"]["chatid"][0]
                  for c in emu.calls() if c["path"] == "appchat/get")
    assert read == ["big", "newchat", "ops", "same", "sre"]
    # and nothing changed in WeCom
    assert sorted(emu.chat("sre")["userlist"]) == ["alice", "bob", "dave"]
    assert emu.chat("newchat") is None


# ---------------------------------------------------------------- errors in the plan

def test_foreign_chat_is_an_error_and_the_rest_is_still_planned(tmp_path, emu, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    wecom_env(monkeypatch, emu)
    write_files(tmp_path, with_legacy=True)
    chats = "chats"
    r = run(capsys, "plan", chats, "--format", "json")
    assert r.code == 1
    data = r.json()  # the whole plan is still printed
    assert data["errors"] == [{"chat_id": "legacy", "errcode": 86008,
                               "message": data["errors"][0]["message"]}]
    assert "legacy" not in _by_id(data) and "legacy" not in data["unchanged"]
    assert sorted(_by_id(data)) == ["big", "newchat", "ops", "sre"]
    assert data["summary"]["errors"] == 1
    assert "legacy" in r.err

    # text format: the error is shown with the rest, still exit 1
    r = run(capsys, "plan", chats)
    assert r.code == 1
    assert "legacy" in r.out and "86008" in r.out + r.err
    assert "+ carol" in r.out

    # --detailed-exitcode: an error is 1, not 2
    assert run(capsys, "plan", chats, "--detailed-exitcode").code == 1


# ---------------------------------------------------------------- exit codes

def test_detailed_exitcode_2_with_changes_0_without(chats, emu, tmp_path, capsys):
    assert run(capsys, "plan", chats, "--detailed-exitcode").code == 2
    assert run(capsys, "plan", chats).code == 0
    # only the chat that already matches: no changes
    r = run(capsys, "plan", chats, "--target", "same", "--detailed-exitcode")
    assert r.code == 0, r.err


# ---------------------------------------------------------------- --target / --concurrency

def test_target_plans_only_the_named_chats(chats, emu, capsys):
    emu.clear_calls()
    r = run(capsys, "plan", chats, "--format", "json", "--target", "ops", "--target", "newchat",
            "--concurrency", "2")
    assert r.code == 0, r.err
    data = r.json()
    assert sorted(_by_id(data)) == ["newchat", "ops"]
    assert data["unchanged"] == []
    assert emu.call_counts() == {"gettoken": 1, "appchat/get": 2}


def test_unknown_target_is_named_and_nothing_is_read(chats, emu, capsys):
    emu.clear_calls()
    r = run(capsys, "plan", chats, "--target", "ops", "--target", "nosuchchat")
    assert r.code == 1
    assert "nosuchchat" in r.err
    assert r.out == ""
    assert emu.calls() == []


# ---------------------------------------------------------------- --out

def test_out_writes_a_saved_plan_that_reads_back(chats, tmp_path, capsys):
    from reconciler.app import planfile

    out = tmp_path / "saved" / "plan.json"
    out.parent.mkdir()
    r = run(capsys, "plan", chats, "--format", "json", "--out", out)
    assert r.code == 0, r.err
    saved = json.loads(out.read_text(encoding="utf-8"))
    printed = r.json()
    for key in ("format_version", "changes", "unchanged", "errors", "summary"):
        assert saved[key] == printed[key]
    plan = planfile.read(str(out))
    assert plan_data(plan)["changes"] == printed["changes"]
    assert [c.chat_id for c in plan.changes] == ["big", "newchat", "ops", "sre"]


def test_out_with_text_format_still_prints_text(chats, tmp_path, capsys):
    out = tmp_path / "plan.json"
    r = run(capsys, "plan", chats, "--out", out)
    assert r.code == 0, r.err
    assert "+ carol" in r.out
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["create"] == 1


# ---------------------------------------------------------------- invalid files and credentials

def test_invalid_files_exit_1_before_any_api_call(chats, emu, capsys):
    (chats / "broken.yaml").write_text(
        "chats:\n  bad:\n    name: Bad\n    owner: zed\n    members: [alice, bob]\n", encoding="utf-8")
    (chats / "syntax.yaml").write_text("chats: [\n", encoding="utf-8")
    emu.clear_calls()
    for fmt in ("text", "json"):
        r = run(capsys, "plan", chats, "--format", fmt, "--detailed-exitcode")
        assert r.code == 1
        if fmt == "text":
            assert r.out == ""
        else:  # one JSON object that says why, with every located error
            data = r.json()
            assert data["error"].startswith("the chat files are not valid: 2 errors, the first: chats/broken.yaml:")
            assert [d["file"] for d in data["diagnostics"]] == ["chats/broken.yaml", "chats/syntax.yaml"]
        assert "chats/broken.yaml:" in r.err and "error" in r.err
        assert "chats/syntax.yaml:" in r.err
    assert emu.calls() == []  # not even gettoken


def test_invalid_files_win_over_missing_credentials(chats, emu, monkeypatch, capsys):
    (chats / "broken.yaml").write_text("chats:\n  bad: 3\n", encoding="utf-8")
    monkeypatch.delenv("WECOM_CORP_SECRET")
    r = run(capsys, "plan", chats)
    assert r.code == 1
    assert "broken.yaml" in r.err
    assert emu.calls() == []


@pytest.mark.parametrize("variable", ["WECOM_CORP_SECRET", "WECOM_CORP_ID"])
def test_missing_credential_names_the_variable(chats, emu, monkeypatch, capsys, variable):
    monkeypatch.delenv(variable)
    emu.clear_calls()
    r = run(capsys, "plan", chats)
    assert r.code == 1
    assert variable in r.err
    assert "Traceback" not in r.err
    assert emu.calls() == []


def test_api_base_without_trailing_slash_works(chats, emu, monkeypatch, capsys):
    monkeypatch.setenv("WECOM_API_BASE", emu.base_url.rstrip("/"))
    r = run(capsys, "plan", chats, "--target", "same", "--detailed-exitcode")
    assert r.code == 0, r.err


def test_the_json_plan_names_its_target_after_the_contracts_keys(chats, emu, monkeypatch, capsys):
    # issue 12: an added key, the same in `--format json` and in a saved plan
    monkeypatch.setenv("WECOM_API_BASE", emu.base_url.rstrip("/"))
    data = run(capsys, "plan", chats, "--format", "json").json()
    assert list(data)[-1] == "target"
    assert data["target"] == {"corp_id": "wwtestcorp", "api_base": emu.base_url}  # with its trailing slash


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_api_base_is_an_error_not_production(chats, emu, monkeypatch, capsys, value):
    # issue 12: a CI variable defined but left empty must not send the credentials to qyapi.weixin.qq.com
    monkeypatch.setenv("WECOM_API_BASE", value)
    emu.clear_calls()
    r = run(capsys, "plan", chats)
    assert r.code == 1
    assert r.err.startswith("error: WECOM_API_BASE is set but empty: unset it to use "
                            "https://qyapi.weixin.qq.com/cgi-bin/")
    assert emu.calls() == []


def test_the_installed_program_in_a_subprocess(tmp_path, emu):
    # The real entry point and real process exit codes, not just cli.main's return value.
    from tests.helpers import env_for, run_cli

    write_files(tmp_path)
    code, out, err = run_cli(["plan", "chats", "--detailed-exitcode", "--format", "json"], env_for(emu),
                             cwd=tmp_path)
    assert code == 2, err
    assert json.loads(out)["summary"]["update"] == 3
    code, out, err = run_cli(["plan", "chats", "--target", "same", "--detailed-exitcode"], env_for(emu),
                             cwd=tmp_path)
    assert code == 0, err
    assert "\x1b[" not in out


def test_out_into_a_missing_directory_fails_before_reading(chats, emu, capsys, tmp_path):
    emu.clear_calls()
    r = run(capsys, "plan", chats, "--out", tmp_path / "nowhere" / "plan.json")
    assert r.code == 1
    assert "nowhere" in r.err
    assert emu.calls() == []


class _Tty:
    """A stdout that says it is a terminal."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color", [None, "1", ""])  # "" is set too: no colour
def test_colour_only_on_a_terminal_and_never_with_no_color(chats, monkeypatch, no_color):
    from reconciler import cli

    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    tty = _Tty()
    monkeypatch.setattr("sys.stdout", tty)
    assert cli.main(["plan", str(chats)]) == 0
    out = "".join(tty.parts)
    assert "carol" in out
    assert ("\x1b[" in out) is (no_color is None)


def test_the_plan_client_cannot_write(chats, emu, monkeypatch, capsys):
    # "plan never writes" by construction: the client plan opens refuses a POST
    # before it reaches the network.
    from reconciler.app import session as reads
    from reconciler.wecom import ReadOnlyViolation

    made = []
    real_open = reads.open_client

    def spy(*args, **kwargs):
        client = real_open(*args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(reads, "open_client", spy)
    assert run(capsys, "plan", chats).code == 0
    assert len(made) == 1
    with pytest.raises(ReadOnlyViolation):
        made[0].call("appchat/update", {"chatid": "sre", "name": "x"})
    assert posts(emu) == []
