"""A cause for every change, end to end against the emulator over HTTP: each
person a plan adds or removes says why, in text, markdown and JSON, the
ledger records it, and `plan --ledger DIR` names the entry that last brought
in someone no entry brings in any more (`no longer in dept:3 (SRE)`). A
department a cause shows is named from one department/get a run."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.helpers import run_in_process as run
from tests.helpers import wecom_env

SRE_ENTRY = {"entry": "dept:3", "name": "SRE", "source": "chats/sre.yaml:10"}

USERS = ["alice", "bob", "vera", "kim", "victor", "hand"]


def org(vera_in: int, chat_members: list[str]) -> dict:
    return {  # only the departments an entry names are read: names of the people in them
        "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 3, "name": "SRE", "parentid": 1},
                        {"id": 5, "name": "Sales", "parentid": 1}],
        "users": [{"userid": "alice", "name": "Alice", "department": [1]},
                  {"userid": "bob", "name": "Bob", "department": [3]},
                  {"userid": "vera", "name": "Vera", "department": [vera_in]},
                  {"userid": "kim", "name": "Kim", "department": [3]},
                  {"userid": "victor", "name": "Victor", "department": [5]},
                  {"userid": "hand", "name": "Hand", "department": [1]}],
        "chats": [{"chatid": "sre", "name": "SRE", "owner": "alice", "userlist": chat_members}],
    }


FILES = """\
groups:
  contractors:
    - victor
chats:
  sre:
    name: SRE
    owner: alice
    members:
      - alice
      - dept:3
      - {group: contractors, until: 2027-01-31, reason: INC-42}
    exclude:
      - kim
"""
TODAY = ("--today", "2027-01-20")


@pytest.fixture
def world(emulator_factory, monkeypatch, tmp_path):
    # kim is excluded, hand was added by hand, ghost left the company
    emu = emulator_factory(seed=org(3, ["alice", "kim", "hand", "ghost"]))
    wecom_env(monkeypatch, emu)
    monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "sre.yaml").write_text(textwrap.dedent(FILES), encoding="utf-8")
    return emu, tmp_path


def _lines(text: str) -> dict[str, str]:
    """user id -> its +/- line of the text plan, without the indent."""
    out = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped[:2] in ("+ ", "- ") and " chat " not in stripped:
            out[stripped[2:].split()[0]] = stripped
    return out


def test_every_join_and_leave_says_why_in_text_markdown_and_json(world, capsys):
    r = run(capsys, "plan", *TODAY, "--out", "saved.json", "chats")
    assert r.code == 0, r.err
    lines = _lines(r.out)
    assert "alice" not in lines  # she stays
    assert lines["bob"] == "+ bob (Bob)  (dept:3 (SRE), chats/sre.yaml:10)"
    assert lines["vera"] == "+ vera (Vera)  (dept:3 (SRE), chats/sre.yaml:10)"
    assert lines["victor"] == "+ victor  (@contractors, chats/sre.yaml:11, until 2027-01-31)"
    assert lines["kim"] == "- kim (Kim)  (excluded by kim, chats/sre.yaml:13)"
    assert lines["hand"] == "- hand  (not in the files)"
    assert lines["ghost"] == "- ghost  (not in the files)"  # without --check-users nobody asked the directory
    shown = run(capsys, "show", "saved.json")
    assert shown.code == 0 and shown.out == r.out  # a saved plan carries its causes

    md = run(capsys, "plan", *TODAY, "--format", "markdown", "chats").out
    assert "+ victor  (@contractors, chats/sre.yaml:11, until 2027-01-31)\n" in md
    assert "<code>kim</code> (Kim) (excluded by kim, chats/sre.yaml:13)" in md  # the removals section

    causes = run(capsys, "plan", *TODAY, "--format", "json", "chats").json()["changes"][0]["causes"]
    assert causes == {
        "bob": {"kind": "listed", "entries": [SRE_ENTRY]},
        "vera": {"kind": "listed", "entries": [SRE_ENTRY]},
        "victor": {"kind": "listed", "entries": [{"entry": "victor", "source": "chats/sre.yaml:11",
                                                  "via": ["contractors"], "until": "2027-01-31",
                                                  "reason": "INC-42"}]},
        "kim": {"kind": "excluded", "entry": "kim", "source": "chats/sre.yaml:13"},
        "hand": {"kind": "unlisted"},
        "ghost": {"kind": "unlisted"},
    }


def test_check_users_names_who_left_the_company(world, capsys):
    r = run(capsys, "plan", *TODAY, "--check-users", "--format", "json", "chats")
    assert r.code == 0, r.err
    causes = r.json()["changes"][0]["causes"]
    assert causes["ghost"] == {"kind": "not_in_directory"} and causes["hand"] == {"kind": "unlisted"}
    text = run(capsys, "plan", *TODAY, "--check-users", "chats").out
    assert _lines(text)["ghost"] == "- ghost  (not in the directory: left, or outside the app's visible range)"


def test_someone_who_moves_out_of_the_department_leaves_no_longer_in_it(world, capsys):
    emu, tmp = world
    r = run(capsys, "apply", *TODAY, "--yes", "--ledger", "ledger", "chats")
    assert r.code == 0, r.err
    joined = [json.loads(x) for p in sorted((tmp / "ledger").glob("*.jsonl")) for x in p.read_text().splitlines()]
    vera = next(x for x in joined if x["event"] == "joined" and x["user_id"] == "vera")
    assert vera["cause"] == {"kind": "listed", "entries": [SRE_ENTRY]}
    kim = next(x for x in joined if x["event"] == "left" and x["user_id"] == "kim")
    assert kim["cause"] == {"kind": "excluded", "entry": "kim", "source": "chats/sre.yaml:13"}

    emu.reset(seed=org(5, emu.chat("sre")["userlist"]))  # vera moves to Sales
    plain = run(capsys, "plan", *TODAY, "chats")
    assert _lines(plain.out)["vera"] == "- vera  (not in the files)"  # the ledger is never read unasked
    r = run(capsys, "plan", *TODAY, "--ledger", "ledger", "chats")
    assert r.code == 0, r.err
    assert _lines(r.out)["vera"] == "- vera  (no longer in dept:3 (SRE))"
    data = run(capsys, "plan", *TODAY, "--ledger", "ledger", "--format", "json", "chats").json()
    assert data["changes"][0]["causes"] == {
        "vera": {"kind": "unlisted", "former": [SRE_ENTRY]}}
    md = run(capsys, "plan", *TODAY, "--ledger", "ledger", "--format", "markdown", "chats").out
    assert "- vera  (no longer in dept:3 (SRE))\n" in md

    r = run(capsys, "apply", *TODAY, "--yes", "--ledger", "ledger", "chats")
    assert r.code == 0, r.err
    history = run(capsys, "history", "vera", "--ledger", "ledger")
    assert history.code == 0, history.err
    said = history.out.splitlines()
    assert "+ joined  vera (Vera)  (dept:3 (SRE), chats/sre.yaml:10)" in said[1]
    assert "- left    vera  (no longer in dept:3 (SRE))" in said[2]


def test_plan_with_a_ledger_that_is_not_there_says_so_and_plans_all_the_same(world, capsys):
    r = run(capsys, "plan", *TODAY, "--ledger", "nowhere", "chats")
    assert r.code == 0
    assert "warning: no ledger at nowhere: removals name no former cause" in r.err
    assert _lines(r.out)["hand"] == "- hand  (not in the files)"


def _department_gets(emu) -> list[str]:
    return [c["query"].get("id") for c in emu.calls() if c["path"] == "department/get"]


def test_a_plan_reads_the_name_of_each_department_its_causes_show_once_and_no_other(world, capsys):
    emu, _ = world
    emu.clear_calls()
    r = run(capsys, "plan", *TODAY, "--format", "json", "chats")
    assert r.code == 0, r.err
    assert _department_gets(emu) == ["3"]  # bob and vera both come in through dept:3: one read
    assert run(capsys, "apply", *TODAY, "--yes", "chats").code == 0
    emu.clear_calls()
    r = run(capsys, "plan", *TODAY, "chats")  # the chat still uses dept:3, but no cause shows it
    assert r.code == 0 and "No changes." in r.out, r.out
    assert _department_gets(emu) == [] and emu.call_counts()["user/simplelist"] == 1


@pytest.mark.parametrize("fault", [{"fault": "errcode", "errcode": 60011},
                                   {"fault": "field", "field": "department.name", "action": "drop"},
                                   {"fault": "field", "field": "department", "action": "mistype"}])
def test_a_department_name_that_cannot_be_read_costs_only_the_name(world, capsys, fault):
    emu, _ = world
    emu.set_faults(script=[{**fault, "path": "department/get", "count": 1000}])
    r = run(capsys, "plan", *TODAY, "chats")
    assert r.code == 0 and "Traceback" not in r.err, r.err
    assert _lines(r.out)["bob"] == "+ bob (Bob)  (dept:3, chats/sre.yaml:10)"
    data = run(capsys, "plan", *TODAY, "--format", "json", "chats").json()
    assert data["errors"] == [] and data["changes"][0]["causes"]["bob"] == {
        "kind": "listed", "entries": [{"entry": "dept:3", "source": "chats/sre.yaml:10"}]}
    assert "department/get" in emu.call_counts()  # asked, and the answer was what cost the name


def test_a_former_join_the_ledger_holds_without_a_name_is_named_once(world, capsys):
    emu, tmp = world
    assert run(capsys, "apply", *TODAY, "--yes", "--ledger", "ledger", "chats").code == 0
    unnamed = 0
    for month in (tmp / "ledger").glob("*.jsonl"):  # as a ledger written before causes named departments
        lines = [json.loads(x) for x in month.read_text().splitlines()]
        for line in lines:
            cause = line.get("cause")
            for entry in cause.get("entries", ()) if isinstance(cause, dict) else ():
                unnamed += entry.pop("name", None) == "SRE"
        month.write_text("".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) + "\n" for x in lines))
    assert unnamed == 2  # bob's and vera's joins
    emu.reset(seed=org(5, emu.chat("sre")["userlist"]))  # vera moves to Sales
    emu.clear_calls()
    r = run(capsys, "plan", *TODAY, "--ledger", "ledger", "chats")
    assert r.code == 0, r.err
    assert _lines(r.out)["vera"] == "- vera  (no longer in dept:3 (SRE))"
    assert _department_gets(emu) == ["3"]
