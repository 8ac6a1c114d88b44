"""What the admin surface and the Python API do to a running emulator:
reset it, set faults and limits, look at its chats, calls and messages, and
change a chat as a person in the WeCom client would. A mixin of api.Api,
whose lock every operation holds."""

from __future__ import annotations

import random
from typing import Mapping

from . import faults as F
from . import errorbodies as M
from .rules import Chat, Directory, Reject, update
from .seed import load_seed


PERSON_EDITS = ("add", "remove", "name", "owner")


def person_edit(chat: Chat, edits: Mapping, directory: Directory, cap: int = 2000) -> Reject | Chat:
    """A change made by a person in the WeCom client (the admin surface's
    way to make drift): members added or removed, a rename, a new owner.
    The same rules as appchat/update, except that any chat may be changed,
    another app's too; the caller neither logs it as an API call nor counts
    it against the quotas."""
    unknown = sorted(set(edits) - set(PERSON_EDITS))
    if unknown:
        return Reject(M.DATA_FORMAT_ERROR, f"unknown field(s) {', '.join(map(str, unknown))}; "
                                           f"expected {', '.join(PERSON_EDITS)}")
    body: dict = {"chatid": chat.chatid, "add_user_list": edits.get("add", []),
                  "del_user_list": edits.get("remove", [])}
    body.update({k: edits[k] for k in ("name", "owner") if k in edits})
    result = update(body, lambda _: Chat(chat.chatid, chat.name, chat.owner, chat.userlist), directory, cap=cap)
    if isinstance(result, Reject):
        return result
    return Chat(result.chatid, result.name, result.owner, result.userlist, chat.foreign)


class Control:
    """The operations; api.Api supplies lock, store, log, tokens, quotas, faults..."""

    def reset(self, seed=None) -> None:
        """Chats back to `seed` (or the configured one); call log, messages,
        quota counters and faults back to the start. Tokens stay valid."""
        new_seed = self.seed if seed is None else load_seed(seed)
        with self.lock:
            self.store.load(new_seed)
            self.seed = new_seed
            self.log.clear()
            self.outbox.clear()
            self.quotas.reset()
            self.faults = self.initial_faults
            self.rng = random.Random(self.config.random_seed)

    def set_faults(self, **changes) -> dict:
        """Merge fault settings; actions: clear=True (back to none),
        invalidate_tokens=True (40014 from now), expire_tokens=True (42001)."""
        with self.lock:
            settings = F.FaultSettings() if changes.pop("clear", False) else self.faults
            invalidate = changes.pop("invalidate_tokens", False)
            expire = changes.pop("expire_tokens", False)
            settings = F.updated(settings, changes)
            self.faults = settings
            if invalidate:
                self.tokens.invalidate_all()
            if expire:
                self.tokens.expire_all()
            return settings.data()

    def set_limits(self, **limits) -> dict:
        with self.lock:
            if "token_ttl" in limits:
                ttl = limits.pop("token_ttl")
                if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl <= 0:
                    raise ValueError("token_ttl must be a positive number of seconds")
                self.tokens.ttl = ttl
            self.quotas.set_limits(**limits)
            return {**self.quotas.limits, "token_ttl": self.tokens.ttl}

    def chat(self, chat_id: str) -> dict | None:
        with self.lock:
            chat = self.store.get(chat_id)
        if chat is None:
            return None
        return {**chat.data(), "foreign": chat.foreign}

    def chat_ids(self) -> list[str]:
        with self.lock:
            return self.store.chat_ids()

    def edit_chat(self, chat_id: str, edits: dict) -> dict | None:
        """Change a chat as a person in the WeCom client would (see
        person_edit above): the chat as stored afterwards, None when there is
        no such chat; ValueError (with WeCom's errcode in the text) when the
        change is refused, and then nothing changed."""
        with self.lock:
            chat = self.store.get(chat_id)
            if chat is None:
                return None
            result = person_edit(chat, edits, self.store.directory(), self.config.member_cap)
            if isinstance(result, Reject):
                raise ValueError(f"refused ({result.errcode}): {result.errmsg}")
            self.store.put(result)
        return self.chat(chat_id)

    def calls(self) -> list[dict]:
        with self.lock:
            return self.log.calls()

    def counts(self) -> dict[str, int]:
        with self.lock:
            return self.log.counts()

    def clear_calls(self) -> None:
        with self.lock:
            self.log.clear()

    def sent(self, chat_id: str | None = None) -> list[dict]:
        with self.lock:
            return self.outbox.sent(chat_id)
