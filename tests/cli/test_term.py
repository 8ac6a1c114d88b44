"""Colour: only on a terminal, never with NO_COLOR, never on TERM=dumb (it
would print the escape sequences as text); for the views and the CLI alike."""

from __future__ import annotations

import io

import pytest

from reconciler.cli.term import use_colour


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("term, colour", [("xterm-256color", True), ("dumb", False), (None, True), ("", True)])
def test_term_dumb_means_no_colour(monkeypatch, term, colour):
    monkeypatch.delenv("NO_COLOR", raising=False)
    if term is None:
        monkeypatch.delenv("TERM", raising=False)
    else:
        monkeypatch.setenv("TERM", term)
    assert use_colour(Tty()) is colour
    assert use_colour(io.StringIO()) is False


def test_plan_on_a_dumb_terminal_has_no_escape_sequences(emulator, tmp_path, monkeypatch):
    from reconciler import cli
    from tests.helpers import wecom_env

    chats = tmp_path / "chats"
    chats.mkdir()
    (chats / "a.yaml").write_text("chats:\n  team:\n    name: Team\n    owner: alice\n    members: [alice, bob]\n")
    wecom_env(monkeypatch, emulator)
    for term, escapes in (("xterm", True), ("dumb", False)):
        monkeypatch.setenv("TERM", term)
        tty = Tty()
        monkeypatch.setattr("sys.stdout", tty)
        assert cli.main(["plan", str(chats)]) == 0
        assert "team" in tty.getvalue()
        assert ("\x1b[" in tty.getvalue()) is escapes, term
