"""The inputs behind the example outputs of the pages in PAGES.

In those pages every fenced block that shows an output (```text, ```json or
a bare ```) carries a marker on the line before it:

    <!-- example: NAME -->            the block is the whole output
    <!-- example: NAME (excerpt) -->  the block's lines are a run of the output's lines
    <!-- not an output: WHY -->       a synopsis, a template, a log with timings

and RECIPES[NAME](world) produces that output from the same input: the
chat files and WeCom's state the example speaks of, and the command the
page shows (a block's own `$ appchat ...` line, or the first `appchat`
command of the ```sh block before it), run against the emulator.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tests.helpers import REPO, wecom_env
from tests.helpers import run_in_process
from tests.samples import MP4, PNG, amr

PAGES = ("README.md", "docs/chat-files.md", "docs/temporary-access.md", "docs/apply.md", "docs/plans.md",
         "docs/directory.md", "docs/messages.md")
_MARK = re.compile(r"^(?P<indent> *)<!-- (?:example: (?P<name>[\w-]+)(?P<excerpt> \(excerpt\))?"
                   r"|not an output: [^>]+) -->\n")
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S)
OUTPUT_LANGS = ("text", "json", "")


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    body: str            # without the fence's indentation
    marker: str | None   # the marker line before it, if any
    name: str | None = None
    excerpt: bool = False

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(page: str) -> list[Block]:
    text = (REPO / page).read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        indent = len(m.group("indent"))
        body = "\n".join(line[indent:] for line in m.group("body").splitlines())
        before = text[:m.start()].splitlines(keepends=True)
        mark = _MARK.match(before[-1]) if before else None
        found.append(Block(page, text.count("\n", 0, m.start()) + 1, m.group("lang"), body,
                           before[-1].strip() if mark else None, mark and mark.group("name"),
                           bool(mark and mark.group("excerpt"))))
    return found


def examples() -> list[Block]:
    return [b for page in PAGES for b in blocks(page) if b.name]


def shown_command(block: Block) -> list[str] | None:
    """The block's own `$ appchat ...` line, else the first `appchat` command
    of the nearest ```sh block before it on its page."""
    first = block.body.splitlines()[0]
    if first.startswith("$ "):
        return shlex.split(first[2:])[1:]
    before = [b for b in blocks(block.page) if b.line < block.line and b.lang == "sh"]
    if not before:
        return None
    lines = before[-1].body.replace("\\\n", " ").splitlines()
    buffer = ""
    for line in lines:
        buffer = f"{buffer}\n{line}" if buffer else line
        try:
            words = shlex.split(buffer, comments=True)
        except ValueError:  # a quote that closes on a later line
            continue
        if words and words[0] == "appchat":
            return words[1:]
        buffer = ""
    return None


class World:
    """What a recipe sets up: files under a fresh working directory, an
    emulator the in-process CLI talks to, and the command the page shows."""

    def __init__(self, block: Block, tmp_path: Path, emulator_factory, monkeypatch, capsys) -> None:
        self.block, self.root, self._factory, self._mp, self._capsys = block, tmp_path, emulator_factory, monkeypatch, capsys
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("APPCHAT_LOCK_DIR", str(tmp_path))
        self.emu = None

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content), encoding="utf-8")
        return target

    def repo_chats(self) -> None:
        """The repository's own chats/, as a newcomer has them."""
        shutil.copytree(REPO / "chats", self.root / "chats")

    def emulator(self, seed, corp_id: str = "wwdemo"):
        self.emu = self._factory(seed=seed, corp_id=corp_id)
        wecom_env(self._mp, self.emu)
        return self.emu

    def run(self, *argv, code: int | None = None) -> str:
        r = run_in_process(self._capsys, *argv)
        if code is not None:
            assert r.code == code, (argv, r.code, r.err)
        return r.out

    def shown(self, code: int | None = None, *extra: str) -> str:
        """Run the command the page shows (with `extra` words after it)."""
        argv = shown_command(self.block)
        assert argv, f"{self.block.where}: no `appchat` command shown for this example"
        return self.run(*argv, *extra, code=code)

    def sent(self, chat_id: str) -> dict:
        """The last message `chat_id` received, as the page shows a body:
        without `chatid`, `safe` only when set, media ids as `ID`."""
        last = self.emu.messages(chat_id)[-1]
        message = {k: v for k, v in last.items() if k in ("msgtype", last["msgtype"], "safe")}
        if not message.get("safe"):
            message.pop("safe", None)
        return media_ids_as_id(message)


def media_ids_as_id(value):
    """Media ids differ from run to run (`3sQ1...` on the page): both sides as `ID`."""
    if isinstance(value, dict):
        return {k: "ID" if k in ("media_id", "thumb_media_id") else media_ids_as_id(v) for k, v in value.items()}
    if isinstance(value, list):
        return [media_ids_as_id(v) for v in value]
    return value


def comparable_plan(data: dict) -> dict:
    """A plan JSON with what differs from run to run made equal: the
    emulator's port in `target`, and `read_concurrency` (left off the page)."""
    data = {k: v for k, v in data.items() if k != "read_concurrency"}
    if "target" in data:
        data["target"] = {**data["target"], "api_base": "API_BASE"}
    return data


# -- README.md, docs/chat-files.md, docs/temporary-access.md ----------------------

def readme_plan(w: World) -> str:
    """The README's tour: the repository's chats/ against the demo's WeCom."""
    w.repo_chats()
    w.emulator(str(REPO / "demo" / "seed.yaml"))
    return w.shown(0)


def validate_repo(w: World) -> str:
    w.repo_chats()
    return w.shown(0)


def validate_ended(w: World) -> str:
    """vera's contract ended: a warning on stderr, and still exit 0."""
    w.repo_chats()
    r = run_in_process(w._capsys, *shown_command(w.block))
    assert r.code == 0, r.err
    return r.err


def expiring_text(w: World) -> str:
    w.repo_chats()
    return w.shown(0)


# -- docs/plans.md -----------------------------------------------------------------

SRE_YAML = """\
    groups:
      sre: [alice, bob]
      oncall: ["@sre", carol]

    chats:
      sreoncall:
        name: SRE On-call
        owner: alice
        members: ["@oncall"]
      platform:
        name: Platform
        owner: frank
        members: [frank, grace]
      legacy:
        name: Legacy
        owner: judy
        members: [judy, ivan]
    """
INCIDENT_YAML = """\
    chats:
      incident:
        name: Incident
        owner: carol
        members: [alice, carol, dave]
    """
SRE_WECOM = {
    "chats": [{"chatid": "sreoncall", "name": "SRE", "owner": "alice", "userlist": ["alice", "bob", "erin"]},
              {"chatid": "platform", "name": "Platform", "owner": "frank", "userlist": ["frank", "grace"]}],
    "foreign_chats": [{"chatid": "legacy", "name": "Legacy", "owner": "judy", "userlist": ["ivan", "judy"]}],
}


def plan_text(w: World) -> str:
    w.write("chats/sre.yaml", SRE_YAML)
    w.write("chats/incident.yaml", INCIDENT_YAML)
    w.emulator(SRE_WECOM)
    return w.shown(code=1)


def plan_json(w: World) -> str:
    w.write("chats/sre.yaml", SRE_YAML)
    w.emulator(SRE_WECOM)
    return w.run("plan", "chats/sre.yaml", "--format", "json", code=1)


def mass_removal(w: World) -> str:
    w.write("chats/big.yaml", """\
        chats:
          big:
            name: Big
            owner: u0
            members: [u0, u1, u2, u3, u4, u5]
        """)
    w.emulator({"chats": [{"chatid": "big", "name": "Big", "owner": "u0", "userlist": [f"u{i}" for i in range(10)]}]})
    return w.run("plan", "chats/")


def mass_addition(w: World) -> str:
    # `dept:1` written for `dept:3`: the SRE chat of 12 would gain the company's other 1,001 people
    sre, staff = [f"sre{i:02d}" for i in range(12)], [f"s{i:04d}" for i in range(1001)]
    w.write("chats/sre.yaml", """\
        chats:
          sre:
            name: SRE
            owner: sre00
            members: [dept:1]
        """)
    w.emulator({"departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 3, "name": "SRE", "parentid": 1},
                                {"id": 5, "name": "Staff", "parentid": 1}],
                "users": [{"userid": u, "name": u, "department": [3 if u in sre else 5]} for u in sre + staff],
                "chats": [{"chatid": "sre", "name": "SRE", "owner": "sre00", "userlist": sre}]})
    return w.run("plan", "chats/", code=0)


def apply_mass_addition(w: World) -> str:
    """apply refuses what `plan` warns of in mass_addition, before any write."""
    mass_addition(w)
    r = run_in_process(w._capsys, "apply", "--yes", "chats/")
    assert r.code == 1
    assert [c for c in w.emu.calls() if c["path"].startswith("appchat/")] == [c for c in w.emu.calls()
                                                                         if c["path"] == "appchat/get"]
    return r.err


def bound_refusal(w: World) -> str:
    """A plan from a branch behind main (ychat without erin) applied to main's files (with erin)."""
    chats = """\
        chats:
          ychat:
            name: Y
            owner: alice
            members: [alice, bob{}]
        """
    w.write("chats/y.yaml", chats.format(""))
    w.emulator({"chats": [{"chatid": "ychat", "name": "Y", "owner": "alice", "userlist": ["alice", "bob", "erin"]}]})
    w.run("plan", "chats/", "--out", "plan.json", code=0)
    w.write("chats/y.yaml", chats.format(", erin"))
    r = run_in_process(w._capsys, "apply", "--plan", "plan.json", "chats/")
    assert r.code == 1
    return r.err


def who_repo(w: World) -> str:
    w.repo_chats()
    return w.shown(0, "--today", "2027-01-10")


def _demo_converged(w: World) -> None:
    """The demo's WeCom after one apply of the repository's chats/: files
    and WeCom agree."""
    w.repo_chats()
    w.emulator(str(REPO / "demo" / "seed.yaml"))
    w.run("apply", "--yes", "chats/", "--today", "2027-01-10", code=0)


def _without_chen_wei(w: World) -> None:
    path = w.root / "chats" / "groups.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  sre: [alice, bob, chen.wei]\n" in text
    path.write_text(text.replace("  sre: [alice, bob, chen.wei]\n", "  sre: [alice, bob]\n"), encoding="utf-8")


def offboarding_who(w: World) -> str:
    w.repo_chats()
    return w.run("who", "chen.wei", "--today", "2027-01-10", code=0)


def offboarding_people(w: World) -> str:
    _demo_converged(w)
    _without_chen_wei(w)
    return w.run("plan", "chats/", "--today", "2027-01-10", code=0)


def offboarding_live(w: World) -> str:
    _demo_converged(w)
    _without_chen_wei(w)
    w.run("apply", "--yes", "chats/", "--today", "2027-01-10", code=0)
    return w.run("who", "chen.wei", "--live", "--today", "2027-01-10")


# -- docs/directory.md -------------------------------------------------------------

ORG = {
    "departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 2, "name": "研发中心", "parentid": 1},
                    {"id": 3, "name": "SRE", "parentid": 2}, {"id": 6, "name": "Secret", "parentid": 1}],
    "users": [{"userid": "alice", "name": "爱丽丝", "department": [3]},
              {"userid": "bob", "name": "鲍勃", "department": [3]},
              {"userid": "carol", "name": "Carol", "department": [3]},
              {"userid": "spy", "name": "Spy", "department": [6]}],
    "visible": [2],
    "chats": [],
}


def invisible_department(w: World) -> str:
    w.write("chats/hidden.yaml", """\
        chats:
          hidden:
            name: Hidden
            owner: alice
            members: [alice, dept:6]
        """)
    w.emulator(ORG)
    return w.run("plan", "chats/", code=1)


def malformed_answer(w: World) -> str:
    w.write("chats/eng.yaml", """\
        chats:
          eng:
            name: Engineering
            owner: alice
            members: [alice, dept:2]
        """)
    emu = w.emulator(ORG)
    emu.set_faults(script=[{"fault": "field", "path": "user/simplelist", "field": "userlist", "action": "drop",
                            "count": 1000}])
    return w.run("plan", "chats/", code=1)


def excluded_prune_false(w: World) -> str:
    w.write("chats/sre.yaml", """\
        chats:
          sreoncall:
            name: SRE On-call
            owner: alice
            prune: false
            members: [dept:3]
            exclude: [carol]
        """)
    w.emulator({**ORG, "chats": [{"chatid": "sreoncall", "name": "SRE On-call", "owner": "alice",
                                  "userlist": ["alice", "bob", "carol", "oscar"]}]})
    return w.run("plan", "chats/", code=0)


def department_names(w: World) -> str:
    w.write("chats/sre.yaml", """\
        chats:
          sreoncall:
            name: SRE On-call
            owner: alice
            members: ["dept:3"]
        """)
    w.emulator({**ORG, "chats": [{"chatid": "sreoncall", "name": "SRE On-call", "owner": "alice",
                                  "userlist": ["alice", "bob", "oscar"]}]})
    return w.run("plan", "chats/", code=0)


def moved_department(w: World) -> str:
    w.write("chats/sre.yaml", """\
        # yaml-language-server: $schema=../schemas/chats.schema.json
        chats:
          sreoncall:
            name: SRE On-call
            owner: alice
            members: [dept:3]
          srealerts:
            name: SRE Alerts
            owner: alice
            members: [dept:3]
        """)
    sre = [f"sre{i}" for i in range(1, 7)] + ["alice", "bob"]
    users = [{"userid": u, "name": u.capitalize(), "department": [3]} for u in sre]
    users.append({"userid": "zhangsan", "name": "张三", "department": [5]})  # moved to Sales
    w.emulator({"departments": [{"id": 1, "name": "Acme", "parentid": 0}, {"id": 3, "name": "SRE", "parentid": 1},
                                {"id": 5, "name": "Sales", "parentid": 1}],
                "users": users,
                "chats": [{"chatid": c, "name": n, "owner": "alice", "userlist": sorted([*sre, "zhangsan"])}
                          for c, n in (("sreoncall", "SRE On-call"), ("srealerts", "SRE Alerts"))]})
    return w.run("plan", "chats/", code=0)


def fatal_json(w: World) -> str:
    w.write("chats/sre.yaml", """\
        chats:
          sre:
            name: SRE
            owner: zed
            members: [alice, bob]
        """)
    return w.shown(1)


# -- docs/messages.md --------------------------------------------------------------

CHATS = ("incident42", "releasetrain", "standup")


def _send(chat_id: str, files: dict[str, bytes | str] | None = None) -> Callable[[World], str]:
    def recipe(w: World) -> str:
        w.emulator({"chats": [{"chatid": c, "name": c, "owner": "alice", "userlist": ["alice", "bob"]}
                              for c in CHATS]})
        for path, content in (files or {}).items():
            w.write(path, content)
        w.shown(0)
        return json.dumps(w.sent(chat_id), ensure_ascii=False)
    return recipe


def _yaml_before(w: World) -> str:
    return [b for b in blocks(w.block.page) if b.line < w.block.line and b.lang == "yaml"][-1].body + "\n"


def _send_with_yaml(chat_id: str, name: str, extra: dict[str, bytes] | None = None) -> Callable[[World], str]:
    def recipe(w: World) -> str:
        w.write(name, _yaml_before(w))
        return _send(chat_id, extra)(w)
    return recipe


def announcement(w: World) -> str:
    w.write("chats/sre.yaml", """\
        chats:
          sreoncall:
            name: SRE On-call
            owner: bob
            members: [alice, bob, carol, dave]
        """)
    w.emulator({"chats": [{"chatid": "sreoncall", "name": "SRE", "owner": "alice", "userlist": ["alice", "bob", "erin"]}]})
    w.run("apply", "--yes", "--announce", "chats/", code=0)
    return w.emu.messages("sreoncall")[-1]["markdown"]["content"]


def announce_budget(w: World) -> str:
    # 240 chats that each gain one member: alice hears of every change.
    w.write("chats/many.yaml", "chats:\n" + "".join(
        f"  c{i:03d}:\n    name: C{i}\n    owner: alice\n    members: [alice, n{i:03d}]\n" for i in range(240)))
    w.emulator({"chats": [{"chatid": f"c{i:03d}", "name": f"C{i}", "owner": "alice", "userlist": ["alice", f"b{i:03d}"]}
                          for i in range(240)]})
    r = run_in_process(w._capsys, "apply", "--yes", "--announce", "chats/")
    assert r.code == 0, r.err
    return r.err


RECIPES: dict[str, Callable[[World], str]] = {
    "readme-plan": readme_plan,
    "validate-repo": validate_repo,
    "validate-ended": validate_ended,
    "expiring-text": expiring_text,
    "apply-mass-addition": apply_mass_addition,
    "plan-text": plan_text,
    "plan-json": plan_json,
    "fatal-json": fatal_json,
    "mass-removal": mass_removal,
    "mass-addition": mass_addition,
    "bound-refusal": bound_refusal,
    "who-alice": who_repo,
    "who-offline-directory": who_repo,
    "offboarding-who": offboarding_who,
    "offboarding-people": offboarding_people,
    "offboarding-live": offboarding_live,
    "invisible-department": invisible_department,
    "malformed-answer": malformed_answer,
    "excluded-prune-false": excluded_prune_false,
    "department-names": department_names,
    "moved-department": moved_department,
    "send-text": _send("incident42"),
    "send-markdown": _send("releasetrain"),
    "send-textcard": _send("incident42"),
    "send-news": _send_with_yaml("incident42", "status.yaml"),
    "send-mpnews": _send_with_yaml("incident42", "postmortem.yaml", {"cover.png": PNG}),
    "send-image": _send("incident42", {"grafana-latency.png": PNG}),
    "send-voice": _send("standup", {"update.amr": amr(3)}),
    "send-video": _send("releasetrain", {"demo.mp4": MP4}),
    "send-file": _send("incident42", {"app-2024-05-01.log.gz": b"\x1f\x8b\x08\x00" + bytes(40)}),
    "announcement": announcement,
    "announce-budget": announce_budget,
}
