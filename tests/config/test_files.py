"""Which files a run reads, and the ones it refuses to read whole."""

import os

import pytest

from reconciler.config import files, load


def test_a_file_over_the_cap_is_a_located_error_and_nothing_else_is_lost(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("chats")
    (tmp_path / "chats" / "big.yaml").write_text("groups:\n  g: [a, b]\n" + "#" * 200 + "\n")
    (tmp_path / "chats" / "ok.yaml").write_text(
        "chats:\n  c1:\n    name: C\n    owner: a\n    members: [a, b]\n")
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    result = load(["chats"])
    assert [str(e) for e in result.errors] == [
        "chats/big.yaml:1:1: error: chats/big.yaml is larger than 0 MiB: split it into several chat files"]
    assert [c.chat_id for c in result.chats] == ["c1"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("chats")
    os.mkfifo("chats/pipe.yaml")
    result = load(["chats"])
    assert [str(e) for e in result.errors] == ["chats/pipe.yaml:1:1: error: not a regular file: chats/pipe.yaml"]


def test_yaml_suffixes_in_any_letter_case_are_chat_files(tmp_path, monkeypatch):
    # issue 12: `team.YAML` was skipped without a word
    monkeypatch.chdir(tmp_path)
    os.mkdir("chats")
    for i, name in enumerate(["a.YAML", "b.Yml", "c.yaml", "d.yml", "e.YaMl", "notes.txt", "f.yaml.bak"]):
        (tmp_path / "chats" / name).write_text(f"chats:\n  c{i}:\n    name: C\n    owner: a\n    members: [a, b]\n")
    found, errors = files.discover(["chats"])
    assert errors == []
    assert found == ["chats/a.YAML", "chats/b.Yml", "chats/c.yaml", "chats/d.yml", "chats/e.YaMl"]
    assert [c.chat_id for c in load(["chats"]).chats] == ["c0", "c1", "c2", "c3", "c4"]
