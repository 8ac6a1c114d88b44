"""The loader's output model, file discovery, the packaged JSON Schema, and
the `validate` / `schema` commands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from reconciler.cli import main
from reconciler.config import Diagnostic, LoadResult, load, report
from reconciler.core.model import DesiredChat, Source

REPO = Path(__file__).resolve().parents[2]
MODELINE = "# yaml-language-server: $schema=../schemas/chats.schema.json"


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# ---- the examples and the model ----------------------------------------------

def test_examples_validate_to_the_expected_model(in_repo):
    result = load(None)  # default: chats/
    assert result.ok and result.warnings == ()
    assert result.files == ("chats/engineering.yaml", "chats/groups.yaml", "chats/projects.yaml", "chats/sre.yaml")
    assert [c.chat_id for c in result.chats] == ["incidents", "projphoenix", "releasetrain", "rnd", "sreoncall"]
    sre = result.chats[-1]
    assert sre == DesiredChat("sreoncall", "SRE On-call", "alice",
                              frozenset({"alice", "bob", "chen.wei", "dave", "erin"}), True,
                              Source("chats/sre.yaml", 3, 3))
    assert str(sre.source) == "chats/sre.yaml:3"
    assert sre.via["dave"] == (("oncall",),)
    assert sre.via["alice"] == (("leads",), ("oncall", "sre"))
    incidents = result.chats[0]
    assert incidents.prune is False and incidents.via["heidi"] == ((),)
    assert [(g.user, str(g.until), g.reason) for g in incidents.grants] == [("vera", "2027-01-31", "contractor, INC-42")]
    rnd = result.chats[3]
    assert rnd.members == frozenset() and [g.entry for g in rnd.grants] == ["dept:2"]
    assert [g.entry for g in rnd.exclude.refs] == ["dept:5"]
    assert result.groups["oncall"] == frozenset({"alice", "bob", "chen.wei", "dave"})
    assert list(result.groups) == ["leads", "oncall", "platform", "sre"]


def test_every_example_file_carries_the_schema_modeline():
    files = sorted((REPO / "chats").rglob("*.y*ml"))
    assert len(files) >= 3
    for f in files:
        assert f.read_text(encoding="utf-8").splitlines()[0] == MODELINE, f


def test_model_is_immutable(in_repo):
    result = load(["chats"])
    with pytest.raises(AttributeError):
        result.chats[0].owner = "mallory"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.chats[0].via["mallory"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        result.groups["sre"] = frozenset()  # type: ignore[index]
    assert isinstance(result.chats, tuple) and isinstance(result.chats[0].members, frozenset)


def test_direct_and_group_membership_are_both_recorded(tmp_path, monkeypatch):
    write(tmp_path, {"c/a.yaml": "groups:\n  g: [a, b]\nchats:\n  x1:\n    name: X\n    owner: a\n"
                                 "    members: [a, '@g']\n"})
    monkeypatch.chdir(tmp_path)
    chat = load(["c"]).chats[0]
    assert chat.via == {"a": ((), ("g",)), "b": (("g",),)}
    assert chat.prune is True


def test_file_names_as_reached_from_the_command_line(tmp_path, monkeypatch):
    write(tmp_path, {"c/sub/b.yml": "chats:\n  zz:\n    name: Z\n    owner: a\n    members: [a, b]\n",
                     "c/a.yaml": "chats:\n  aa:\n    name: A\n    owner: a\n    members: [a, b]\n",
                     "c/.hidden.yaml": "not: [valid",
                     "c/.git/x.yaml": "not: [valid",
                     "c/notes.txt": "not yaml"})
    monkeypatch.chdir(tmp_path)
    result = load(["./c/"])
    assert result.ok
    assert result.files == ("./c/a.yaml", "./c/sub/b.yml")
    assert [str(c.source) for c in result.chats] == ["./c/a.yaml:2", "./c/sub/b.yml:2"]
    absolute = load([str(tmp_path / "c")])
    assert absolute.chats[0].source.file == str(tmp_path / "c" / "a.yaml")


def test_a_file_reached_twice_is_read_once(tmp_path, monkeypatch):
    write(tmp_path, {"c/a.yaml": "chats:\n  aa:\n    name: A\n    owner: a\n    members: [a, b]\n"})
    monkeypatch.chdir(tmp_path)
    result = load(["c", "c/a.yaml"])
    assert result.ok and result.files == ("c/a.yaml",)


def test_a_file_named_explicitly_is_read_whatever_its_suffix(tmp_path, monkeypatch):
    write(tmp_path, {"chats.txt": "chats:\n  aa:\n    name: A\n    owner: a\n    members: [a, b]\n"})
    monkeypatch.chdir(tmp_path)
    assert [c.chat_id for c in load(["chats.txt"]).chats] == ["aa"]


def test_utf16_with_bom_and_utf8_bom_are_read(tmp_path, monkeypatch):
    text = "chats:\n  aa:\n    name: 值班\n    owner: a\n    members: [a, b]\n"
    (tmp_path / "u16.yaml").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("aa", "bb").encode())
    monkeypatch.chdir(tmp_path)
    result = load(["u16.yaml", "bom.yaml"])
    assert result.ok, [str(e) for e in result.errors]
    assert [c.name for c in result.chats] == ["值班", "值班"]


def test_unreadable_file_is_a_located_error(tmp_path, monkeypatch):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    monkeypatch.chdir(tmp_path)
    assert [str(e) for e in load(["c"]).errors] == [
        "c/gone.yaml:1:1: error: cannot read c/gone.yaml: No such file or directory"]


def test_diagnostic_format_and_report(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"c/a.yaml": "groups:\n  spare: [a]\nchats:\n  x:\n    name: X\n    owner: z\n"
                                 "    members: [a, b]\n"})
    monkeypatch.chdir(tmp_path)
    result = load(["c"])
    assert isinstance(result, LoadResult) and not result.ok
    (err,) = result.errors
    assert isinstance(err, Diagnostic) and err.severity == "error" and err.source == Source("c/a.yaml", 6, 12)
    assert err.message == "owner 'z' is not a member of chat 'x'"
    report(result)
    assert capsys.readouterr().err.splitlines() == [
        "c/a.yaml:2:3: warning: group 'spare' is not used by any chat",
        "c/a.yaml:6:12: error: owner 'z' is not a member of chat 'x'"]
    assert result.chats == ()


# ---- the JSON Schema -------------------------------------------------------------

def _schema() -> dict:
    return json.loads((REPO / "reconciler" / "data" / "chats.schema.json").read_text(encoding="utf-8"))


def test_schemas_dir_is_a_symlink_to_the_packaged_schema():
    link = REPO / "schemas" / "chats.schema.json"
    assert link.is_symlink() and os.readlink(link) == "../reconciler/data/chats.schema.json"
    assert link.read_bytes() == (REPO / "reconciler" / "data" / "chats.schema.json").read_bytes()


def test_schema_is_valid_2020_12_with_a_description_on_every_property():
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    described = []

    def walk(node, where):
        if isinstance(node, dict):
            for key in ("properties", "$defs"):
                for name, sub in node.get(key, {}).items():
                    assert sub.get("description"), f"{where}/{key}/{name} has no description"
                    described.append(name)
            for key, sub in node.items():
                walk(sub, f"{where}/{key}")

    walk(schema, "#")
    assert {"groups", "chats", "name", "owner", "members", "prune", "announce"} <= set(described)


class _Yaml12(yaml.SafeLoader):
    """What editors and check-jsonschema read (YAML 1.2): a bare 2027-01-31 is a string, not a date."""


_Yaml12.yaml_implicit_resolvers = {k: [(tag, rx) for tag, rx in v if not tag.endswith(":timestamp")]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def test_schema_accepts_the_examples_and_rejects_a_trap(in_repo):
    validator = jsonschema.Draft202012Validator(_schema())
    for f in sorted(Path("chats").glob("*.yaml")):
        assert list(validator.iter_errors(yaml.load(f.read_text(encoding="utf-8"), Loader=_Yaml12))) == [], f
    bad = yaml.safe_load("chats:\n  ab:\n    name: X\n    owner: a\n    members: [a, no]\n")
    (err,) = validator.iter_errors(bad)
    assert list(err.absolute_path) == ["chats", "ab", "members", 1]


def test_schema_command_prints_the_packaged_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == _schema()


def test_the_package_build_ships_the_schema(tmp_path):
    # setuptools' build_py is what puts package data into wheels; running it
    # on a copy checks the pyproject package-data entry without a network.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src)
    shutil.copytree(REPO / "reconciler", src / "reconciler", ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([sys.executable, "setup.py", "-q", "build_py",
                           "--build-lib", str(tmp_path / "out")], cwd=src, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    shipped = tmp_path / "out" / "reconciler" / "data" / "chats.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == _schema()


# ---- appchat validate ----------------------------------------------------------------

def test_validate_examples(in_repo, capsys):
    assert main(["validate"]) == 0
    out, err = capsys.readouterr()
    assert out == "valid: 4 files, 5 chats, 4 groups\n" and err == ""
    assert main(["validate", "chats/sre.yaml", "chats/groups.yaml", "chats/projects.yaml"]) == 0
    assert capsys.readouterr().out == "valid: 3 files, 4 chats, 4 groups\n"


def test_validate_reports_every_error_and_exits_1(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"c/a.yaml": "chats:\n  x:\n    name: X\n    owner: z\n    members: [a, on]\n",
                     "c/b.yaml": "chats:\n  x:\n    name: Y\n    owner: a\n    members: [a, b]\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "c"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines == [
        "c/a.yaml:5:18: error: a member of chat 'x' must be a string (a user id, \"@group\", \"dept:ID\" or \"tag:ID\") or a mapping (user: ID, until: DATE), got `on`, "
        "which YAML reads as a boolean; quote it: \"on\"",
        "c/b.yaml:2:3: error: chat id 'x' is already defined at c/a.yaml:2"]
    assert all(re.match(r"^[^:]+:\d+:\d+: error: ", line) for line in lines)


def test_validate_warnings_exit_0(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"c/a.yaml": "groups:\n  spare: [a, b]\nchats:\n  x:\n    name: X\n    owner: a\n"
                                 "    members: [a, b]\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "c"]) == 0
    out, err = capsys.readouterr()
    assert out == "valid: 1 file, 1 chat, 1 group\n"
    assert err == "c/a.yaml:2:3: warning: group 'spare' is not used by any chat\n"


def test_validate_missing_path_and_empty_dir(tmp_path, monkeypatch, capsys):
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "empty", "nope"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "empty:1:1: error: no chat files (*.yaml, *.yml) under empty",
        "nope:1:1: error: no such file or directory: nope"]


def test_validate_empty_file_is_valid(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.yaml").write_text("")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "a.yaml"]) == 0
    assert capsys.readouterr().out == "valid: 1 file, 0 chats, 0 groups\n"


def test_validate_does_no_network_io(in_repo, monkeypatch, capsys):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("validate opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert main(["validate", "chats"]) == 0
