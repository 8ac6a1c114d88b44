"""The WeCom client: what the rest of the program asks of WeCom (chat reads
in parallel, any read, writes, messages, uploads), each made through
wecom.calls, the only code that speaks HTTP to WeCom and holds the secret
and the access token. Read-only unless a command asks for write access.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, TypeVar

from reconciler.core.facts import APPCHAT_GET, APPCHAT_SEND, MEDIA_UPLOAD
from reconciler.core.model import LiveChat, LiveResult, ReadError
from reconciler.wecom.answers import parse_chat_info, parse_media_upload
from reconciler.wecom.calls import Calls
from reconciler.wecom.credentials import Credentials, credentials_from_env, public_base
from reconciler.wecom.errors import ChatNotFound, InvalidCredentials, ReadOnlyViolation, WeComError, describe
from reconciler.wecom.fanout import fan_out
from reconciler.wecom.multipart import form_data

Item = TypeVar("Item")
Result = TypeVar("Result")


def client_from_env(env: Mapping[str, str], *, concurrency: int | None = None, read_only: bool = True,
                    **options: Any) -> "WeComClient":
    """A client from WECOM_CORP_ID / WECOM_CORP_SECRET / WECOM_API_BASE.

    read_only defaults to True: a command has to ask for write access.
    concurrency None (the default) lets the limit adapt; N pins it.
    """
    return WeComClient(credentials_from_env(env), concurrency=concurrency, read_only=read_only, **options)


class WeComClient:
    def __init__(self, credentials: Credentials, *, concurrency: int | None = None, read_only: bool = True,
                 **options: Any) -> None:
        """options: wecom.calls.Calls's (timeout, pacing, retries, back-off,
        clock, sleep, rng, session, max_concurrency)."""
        self.credentials = credentials
        self.concurrency = concurrency
        self.read_only = read_only
        self._calls = Calls(credentials, concurrency=concurrency, **options)
        self._limiter = self._calls.limiter

    # ---- public API -------------------------------------------------------

    @property
    def stats(self) -> dict[str, int]:
        """HTTP requests made so far, by API path, retries included."""
        return self._calls.stats

    def get_chat(self, chat_id: str) -> LiveChat:
        data = self._calls.request("GET", APPCHAT_GET, {"chatid": chat_id}, None, chat_id)
        return parse_chat_info(data, chat_id)

    def read_chats(self, chat_ids: Iterable[str], progress: Callable[[int, int], None] | None = None,
                   on_result: Callable[[str, LiveResult], None] | None = None) -> dict[str, LiveResult]:
        """Read many chats concurrently: LiveChat, None (86003) or ReadError per id.

        InvalidCredentials aborts the whole read (no chat can be read, and more
        tries would get the IP blocked). progress and on_result(chat id,
        result), as each chat arrives, are called from this thread.
        """
        ids = list(dict.fromkeys(chat_ids))
        arrived = None if on_result is None else (lambda index, result: on_result(ids[index], result))
        return dict(zip(ids, self.read_all(self._read_one, ids, progress, arrived)))

    def read_all(self, fn: Callable[[Item], Result], items: Iterable[Item],
                 progress: Callable[[int, int], None] | None = None,
                 on_result: Callable[[int, Result], None] | None = None) -> list[Result]:
        """fn(item) for every item, as many at once as the concurrency limit
        lets through; the results in the order of `items`.

        fn makes its calls through this client: every HTTP attempt takes a
        slot of the one limit, so several read_all running at once (chats and
        the directory) share it, and the pacer, rather than add up. The
        first exception fn raises stops new items from starting and is raised
        once the started ones have ended. progress(done, total) and
        on_result(index, result), as each item ends, are called from this
        thread. Directory reads are let through before chat reads waiting
        for a slot (wecom.calls).
        """
        return fan_out(fn, items, lambda: self._limiter.limit, self._limiter.maximum, progress, on_result)

    def concurrency_figures(self) -> dict:
        """{"mode": "adaptive" | "fixed", "final": N, "peak": M}: the limit
        now and the highest it reached."""
        return self._limiter.figures()

    def get(self, path: str, params: Mapping[str, Any]) -> dict:
        """A read (GET) of any API, paced and retried as reads are: the answer's
        JSON, or a WeComError carrying WeCom's errcode."""
        return self._calls.request("GET", path, dict(params), None, None)

    def call(self, path: str, body: Mapping[str, Any]) -> dict:
        """POST a write (appchat/create, appchat/update, appchat/send); the answer's JSON."""
        if self.read_only:
            raise ReadOnlyViolation(f"refusing POST {path}: this client is read-only "
                                    "(open it with read_only=False to write)", path=path,
                                    chat_id=body.get("chatid") if isinstance(body, Mapping) else None)
        chat_id = body.get("chatid") if isinstance(body, Mapping) else None
        return self._calls.request("POST", path, None, dict(body), chat_id)

    def send(self, chat_id: str, msgtype: str, payload: Mapping[str, Any], *, safe: bool = False) -> None:
        """appchat/send; `safe` marks the message confidential (no forwarding, a watermark)."""
        self.call(APPCHAT_SEND, {"chatid": chat_id, "msgtype": msgtype, msgtype: dict(payload),
                                 "safe": 1 if safe else 0})

    def upload_media(self, kind: str, filename: str, data: bytes) -> str:
        """media/upload (multipart): the media_id of the file, good for 3 days.

        Retried like a read: a second upload of the same bytes only leaves an
        unused media_id behind, which WeCom forgets after 3 days."""
        if self.read_only:
            raise ReadOnlyViolation(f"refusing POST {MEDIA_UPLOAD}: this client is read-only", path=MEDIA_UPLOAD)
        answer = self._calls.request("POST", MEDIA_UPLOAD, {"type": kind}, None, None,
                               raw=form_data("media", filename, data))
        return parse_media_upload(answer)

    def close(self) -> None:
        self._calls.close()

    def __enter__(self) -> "WeComClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        base = public_base(self.credentials.api_base)
        return (f"WeComClient(corp_id={self.credentials.corp_id!r}, api_base={base!r}, "
                f"concurrency={self.concurrency or 'adaptive'}, read_only={self.read_only})")

    # ---- internals --------------------------------------------------------

    def _read_one(self, chat_id: str) -> LiveResult:
        try:
            return self.get_chat(chat_id)
        except ChatNotFound:
            return None
        except InvalidCredentials:
            raise
        except WeComError as exc:
            message = describe(exc.errcode, exc.errmsg)
            return ReadError(chat_id, exc.errcode, message)

