"""The domain values every layer passes around: desired chats, live chats,
read errors. Immutable, so the planner can trust what it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True, order=True)
class Source:
    """Where something was defined: FILE as reached from the command line."""

    file: str
    line: int  # 1-based
    col: int = 1  # 1-based

    def __str__(self) -> str:  # the contract's `source`: FILE:LINE
        return f"{self.file}:{self.line}"

    @property
    def located(self) -> str:  # the error prefix: FILE:LINE:COL
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class DesiredChat:
    chat_id: str
    name: str
    owner: str
    members: frozenset[str]
    prune: bool = True
    source: Source = Source("<memory>", 1, 1)
    # user id -> the group chains that bring the user in; () means listed
    # directly, ("oncall", "sre") means through @oncall which includes @sre.
    # Only `who` reads it; it does not take part in equality.
    via: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, compare=False, hash=False, repr=False)
    announce: bool = True  # False: `apply --announce` never sends this chat a message


@dataclass(frozen=True)
class LiveChat:
    chat_id: str
    name: str
    owner: str
    members: frozenset[str]


@dataclass(frozen=True)
class ReadError:
    """A chat that could not be read (anything but 'does not exist')."""

    chat_id: str
    errcode: int | None  # None when no WeCom answer came (network, bad body)
    message: str


# What the shell hands the planner for one chat id: the live chat, None when
# WeCom answered 86003 (missing, so it will be created), or the read error.
LiveResult = LiveChat | ReadError | None
