"""Which files a run reads, and the ones it refuses to read whole."""

import os

import pytest

from reconciler.config import files, load

# Shown in docs/chat-files.md's validation table (tests/config/test_rules.py checks it shows only real lines).
TOO_BIG = ("chats/a.yaml:1:1: error: chats/a.yaml is larger than 32 MB (a MB of 1,048,576 bytes): "
           "split it into several chat files")
OUTSIDE = ("chats/a.yaml:1:1: error: chats/a.yaml is a symlink to a file outside chats: not read "
           "(name the file itself on the command line to read it)")
DOCUMENTED = (TOO_BIG, OUTSIDE)


def test_a_file_over_the_cap_is_a_located_error_and_nothing_else_is_lost(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("chats")
    (tmp_path / "chats" / "big.yaml").write_text("groups:\n  g: [a, b]\n" + "#" * 200 + "\n")
    (tmp_path / "chats" / "ok.yaml").write_text(
        "chats:\n  c1:\n    name: C\n    owner: a\n    members: [a, b]\n")
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 2 * files.MB)
    with open(tmp_path / "chats" / "big.yaml", "r+b") as f:
        f.truncate(2 * files.MB + 1)
    result = load(["chats"])
    assert [str(e) for e in result.errors] == [
        "chats/big.yaml:1:1: error: chats/big.yaml is larger than 2 MB (a MB of 1,048,576 bytes): "
        "split it into several chat files"]
    assert [c.chat_id for c in result.chats] == ["c1"]


def test_a_chat_file_over_32_mb_is_refused_by_its_size_before_it_is_parsed(tmp_path, monkeypatch):
    # issue 20: a 20 MB file took 31 s and 1.17 GB; the contract's cap is 32 MB
    assert files.MAX_FILE_BYTES == 32 * 1024 * 1024
    monkeypatch.chdir(tmp_path)
    os.mkdir("chats")
    with open("chats/a.yaml", "wb") as f:
        f.write(b"chats: [[[ not even YAML \xff\xfe")  # parsing it would be another error
        f.truncate(files.MAX_FILE_BYTES + 1)  # sparse: no 32 MB written
    result = load(["chats"])
    assert [str(e) for e in result.errors] == [TOO_BIG]
    with open("chats/a.yaml", "r+b") as f:
        f.truncate(files.MAX_FILE_BYTES)  # exactly the cap is allowed: then it is parsed
    assert "larger than" not in " ".join(str(e) for e in load(["chats"]).errors)


def test_a_symlink_out_of_the_directory_is_refused_unread_and_nothing_of_it_quoted(tmp_path, monkeypatch):
    # issue 20: a link to ../.env printed part of WECOM_CORP_SECRET=... in a YAML error
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("WECOM_CORP_SECRET=sup3r-s3cret-value-0042\n")
    os.makedirs("chats/sub")
    (tmp_path / "chats" / "sub" / "real.yaml").write_text(
        "chats:\n  c1:\n    name: C\n    owner: a\n    members: [a, b]\n")
    os.symlink("../.env", "chats/a.yaml")
    os.symlink("sub/real.yaml", "chats/inside.yaml")  # inside the directory: read (once)
    result = load(["chats"])
    messages = [str(e) for e in result.errors]
    assert messages == [OUTSIDE]
    assert "s3cret" not in " ".join(messages)
    assert [c.chat_id for c in result.chats] == ["c1"]
    # the directory given may itself be a link: what counts is what lies inside its real path
    os.symlink("chats/sub", "linked")
    linked = load(["linked"])
    assert list(linked.errors) == [] and [c.chat_id for c in linked.chats] == ["c1"]


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
