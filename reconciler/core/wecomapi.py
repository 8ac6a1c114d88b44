"""What the program asks of WeCom, as a type: the reads of a chat, the
directory reads and user checks (any GET, many at once under one limit),
the writes, messages and uploads. app/ and the directory readers take a
WeComApi; wecom.client.WeComClient is the one that speaks HTTP, and a
test may pass anything else that has these methods
(tests/wecom/test_wecomapi.py holds the two to each other).

Pure: a type only.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Protocol, TypeVar, runtime_checkable

from reconciler.core.model import LiveChat, LiveResult

Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]


class Corp(Protocol):
    """Who a client talks to: a corp id at an API base."""

    @property
    def corp_id(self) -> str: ...

    @property
    def api_base(self) -> str: ...


@runtime_checkable
class WeComApi(Protocol):
    @property
    def credentials(self) -> Corp: ...

    @property
    def stats(self) -> dict[str, int]:
        """HTTP requests made so far, by API path."""

    def concurrency_figures(self) -> dict:
        """{"mode": "adaptive" | "fixed", "final": N, "peak": M}."""

    def get_chat(self, chat_id: str) -> LiveChat:
        """appchat/get of one chat."""

    def read_chats(self, chat_ids: Iterable[str], progress: Progress | None = None,
                   on_result: Callable[[str, LiveResult], None] | None = None) -> dict[str, LiveResult]:
        """Many chats at once: LiveChat, None (no such chat) or ReadError per
        id; on_result(chat_id, result) as each arrives (app.pipeline)."""

    def read_all(self, fn: Callable[[Item], Result], items: Iterable[Item],
                 progress: Progress | None = None,
                 on_result: Callable[[int, Result], None] | None = None) -> list[Result]:
        """fn(item) for every item under the client's one concurrency limit;
        on_result(index, result) as each arrives."""

    def get(self, path: str, params: Mapping[str, Any]) -> dict:
        """A read (GET) of any API: the answer's JSON."""

    def call(self, path: str, body: Mapping[str, Any]) -> dict:
        """A write (POST): the answer's JSON."""

    def send(self, chat_id: str, msgtype: str, payload: Mapping[str, Any], *, safe: bool = False) -> None:
        """appchat/send."""

    def upload_media(self, kind: str, filename: str, data: bytes) -> str:
        """media/upload: the media_id."""

    def close(self) -> None: ...
