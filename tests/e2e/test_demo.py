"""`make demo`'s premises and the demo itself: demo/seed.yaml is a valid
emulator seed whose chats differ from chats/ by a create, updates, a rename
and removals (and nothing the mass-removal guard would refuse), and
scripts/demo.sh runs validate -> plan -> apply -> plan (no changes) -> who
against it, leaving no emulator running."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import env_for

from datetime import date

from reconciler.app.session import read_world
from reconciler.config import load
from reconciler.core.model import USER
from reconciler.core.planner import make_plan
from reconciler.emulator.seed import load_seed
from reconciler.wecom import client_from_env

ROOT = Path(__file__).resolve().parents[2]
TODAY, LATER = date(2027, 1, 25), date(2027, 2, 25)  # scripts/demo.sh's --today values
SEED = ROOT / "demo" / "seed.yaml"
DEMO = ROOT / "scripts" / "demo.sh"


def _chats():
    result = load([str(ROOT / "chats")], today=TODAY)
    assert result.ok, [str(e) for e in result.errors]
    return result.chats


def test_seed_loads_with_the_emulators_loader():
    seed = load_seed(str(SEED))
    assert seed.users, "the demo seeds a directory, so adding an unknown user fails as in WeCom"
    assert seed.chats


def test_seed_directory_holds_everyone_in_the_chat_files():
    users = load_seed(str(SEED)).users
    wanted = {m for chat in _chats() for m in chat.members} | {
        g.user for chat in _chats() for g in chat.grants if g.kind == USER}
    assert wanted <= users, f"not in demo/seed.yaml users: {sorted(wanted - users)}"


def test_foreign_chats_are_not_named_in_the_chat_files():
    # A foreign chat named in chats/ would make every plan exit 1 (86008).
    foreign = {c["chatid"] for c in yaml.safe_load(SEED.read_text(encoding="utf-8")).get("foreign_chats") or []}
    assert not foreign & {c.chat_id for c in _chats()}


def test_seed_differs_from_chat_files_as_the_demo_shows(emulator_factory):
    emu = emulator_factory(seed=str(SEED))
    desired = _chats()
    with client_from_env(env_for(emu)) as client:
        live, directory = read_world(client, desired, show_progress=False)
    assert directory is not None, "a demo chat comes from the org chart (dept:)"
    plan = make_plan(desired, live, directory=directory, today=TODAY)

    assert not plan.errors
    actions = [c.action for c in plan.changes]
    assert "create" in actions
    updates = [c for c in plan.changes if c.action == "update"]
    assert any(c.before.name != c.after.name for c in updates), "a rename"
    assert any(c.removed for c in updates), "removals"
    assert any(c.added for c in updates), "additions"
    assert plan.unchanged, "one chat already matches"
    # The demo applies with --yes and no --force: nothing may trip the guard.
    assert plan.unsafe() == ()
    assert emu.call_counts().get("appchat/update", 0) == 0
    rnd = plan.change("rnd")
    assert rnd.action == "create" and "kim" not in rnd.after.members, "dept:2 without the interns of dept:5"
    assert [e.who for e in plan.expiring] == ["vera"], "the contractor's access ends within the week"
    later = make_plan(desired, live, directory=directory, today=LATER)
    assert "vera" not in later.change("incidents").after.members


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_demo_script_runs_end_to_end_and_stops_the_emulator(tmp_path):
    demo_dir = tmp_path / "demo-state"
    (demo_dir).mkdir()
    (demo_dir / "leftover").write_text("from an earlier run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_")}
    env.update(APPCHAT_DEMO_DIR=str(demo_dir), NO_COLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    proc = subprocess.run(["bash", str(DEMO)], env=env, capture_output=True, text=True, timeout=240,
                          stdin=subprocess.DEVNULL)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert not (demo_dir / "leftover").exists(), "the demo starts from a clean state"

    # Every step ran (none skipped), in order.
    for command in ("appchat validate chats/", "appchat plan chats/", "appchat apply chats/ --yes",
                    "appchat plan chats/ --detailed-exitcode", "appchat who ", "appchat expiring chats/"):
        assert f"$ {command}" in out, f"step not run: {command}\n{out}"
    assert "skipped: " not in out
    first_plan = out.split("$ appchat plan chats/ --today 2027-01-25\n", 1)[1].split("==>", 1)[0]
    assert "create chat" in first_plan and "update chat" in first_plan
    assert '+ create chat "rnd"' in first_plan and "+ zhangsan" not in first_plan
    assert "converged" in out
    assert "- vera  (expired 2027-01-31: contractor, INC-42)" in out.split("==> 6.", 1)[1]

    pid = int((demo_dir / "emulator.pid").read_text())
    assert not _alive(pid), "the emulator is still running"


def test_demo_stops_the_emulator_when_a_step_fails(tmp_path):
    # Invalid chat files: validate fails, the demo exits non-zero, and the
    # emulator started before it is stopped anyway.
    demo_dir = tmp_path / "demo-state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_")}
    env.update(APPCHAT_DEMO_DIR=str(demo_dir), APPCHAT_DEMO_CHATS=str(tmp_path / "chats"), NO_COLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "bad.yaml").write_text("chats:\n  bad-id!:\n    name: x\n")
    proc = subprocess.run(["bash", str(DEMO)], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode != 0
    assert re.search(r"demo failed: `appchat validate .*` exited 1", proc.stderr), proc.stderr
    pid = int((demo_dir / "emulator.pid").read_text())
    assert not _alive(pid)
