"""`appchat send`: a message from the command line's flags and files, with
every check made before the first request (not even gettoken goes out for a
message that cannot be sent); then the uploads and the one appchat/send.

Files are read here; what WeCom takes is decided by core.messages and
core.media; the HTTP is wecom.client's.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Mapping

from reconciler.app.outcome import Stop, UserError, failed
from reconciler.config.yamlnodes import parse
from reconciler.core import messages as M
from reconciler.core.facts import MEDIA_MAX_BYTES, MEDIA_TYPES
from reconciler.core.media import media_problems
from reconciler.core.wecomapi import WeComApi
from reconciler.wecom.errors import WeComError

STDIN = "-"
# The options that add to one form of message, and the forms they go with.
_EXTRAS = {"title": ("video",), "description": ("textcard", "video"), "url": ("textcard",),
           "button": ("textcard",), "media_id": MEDIA_TYPES}
_FILE_BYTES_MAX = 4 * 1024 * 1024  # a message or articles file; WeCom's own limits are far below


@dataclass(frozen=True)
class SendRequest:
    """What the command line asked for: `form` is the flag that gives the
    body (`--textcard TITLE` -> form "textcard", value the title); `value`
    is None for a media flag given without PATH (then `media_id`)."""

    chat_id: str
    form: str
    value: str | None
    title: str | None = None
    description: str | None = None
    url: str | None = None
    button: str | None = None
    media_id: str | None = None
    safe: bool = False


@dataclass(frozen=True)
class LocalFile:
    name: str  # the file name WeCom shows
    data: bytes


@dataclass(frozen=True)
class Prepared:
    chat_id: str
    message: M.Message  # files to upload stand in it as M.Pending
    files: Mapping[M.Pending, LocalFile] = field(default_factory=dict)


class Refused(Stop):
    """The message cannot go; `problems` says every reason, each on its own
    line, then that nothing was sent."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(failed(*problems, then="Nothing was sent."))
        self.problems = problems


def prepare(request: SendRequest, stdin: BinaryIO | None = None) -> Prepared:
    """Read and check everything; Refused (nothing sent) when anything is wrong."""
    problems = _option_problems(request)
    if problems:
        raise Refused(problems)
    reader = _Reader(stdin)
    message = _message(request, reader)
    where: dict[M.Pending, str] = dict(reader.thumbs)
    if message is not None:
        problems = [f"{reader.label}{p}" for p in M.problems(request.chat_id, message,
                                                                 local_thumbs=request.form == "mpnews")]
        for pending in M.pending(message):
            where.setdefault(pending, f"--{pending.kind} {pending.path}")
    files = {}
    for pending, label in where.items():
        local = reader.media(pending, label)
        if local is not None:
            files[pending] = local
    problems = reader.problems + problems
    if problems or message is None:
        raise Refused(problems)
    return Prepared(request.chat_id, message, files)


def deliver(client: WeComApi, prepared: Prepared,
            on_upload: Callable[[M.Pending, str], None] | None = None) -> M.Message:
    """Upload the files, then send: the message as sent. UserError when a
    call fails (an upload failure sends nothing)."""
    media_ids: dict[M.Pending, str] = {}
    for pending, local in prepared.files.items():
        try:
            media_ids[pending] = client.upload_media(pending.kind, local.name, local.data)
        except WeComError as exc:
            raise UserError(f"uploading {pending.path} failed: {exc}. Nothing was sent.") from None
        if on_upload is not None:
            on_upload(pending, media_ids[pending])
    message = M.resolve(prepared.message, media_ids)
    try:
        client.send(prepared.chat_id, message.msgtype, message.payload, safe=message.safe)
    except WeComError as exc:
        raise UserError(f"sending to {prepared.chat_id} failed: {exc}") from None
    return message


def _option_problems(request: SendRequest) -> list[str]:
    problems = []
    for option, forms in _EXTRAS.items():
        if getattr(request, option) is not None and request.form not in forms:
            flag = "--" + option.replace("_", "-")
            problems.append(f"{flag} goes with {' or '.join('--' + f for f in forms)}, not --{request.form}")
    if request.form in MEDIA_TYPES and (request.value is None) == (request.media_id is None):
        problems.append(f"--{request.form} takes a PATH to upload, or --media-id ID of a file uploaded "
                        "in the last 3 days: one of the two")
    if request.form == "textcard":
        problems += [f"--textcard needs {flag}" for option, flag in (("description", "--description TEXT"),
                                                                     ("url", "--url URL"))
                     if getattr(request, option) is None]
    return problems


def _message(request: SendRequest, reader: "_Reader") -> M.Message | None:
    form, value, safe = request.form, request.value, request.safe
    if form in ("text", "markdown"):
        content = reader.text(value, f"--{form}") if value == STDIN else value
        return None if content is None else M.build(form, safe, content=content)
    if form == "textcard":
        return M.build(form, safe, title=value, description=request.description, url=request.url,
                       btntxt=request.button)
    if form in MEDIA_TYPES:
        media = request.media_id if value is None else M.Pending(form, value)
        extra = {"title": request.title, "description": request.description} if form == "video" else {}
        return M.build(form, safe, media_id=media, **extra)
    data = reader.data(value, f"--{form}")
    if data is None:
        return None
    if form == "message":
        message, problems = M.from_wecom(data, request.chat_id)
        reader.problems += [f"{reader.label}{p}" for p in problems]
        return None if message is None else M.Message(message.msgtype, message.payload, message.safe or safe)
    articles = data.get("articles") if isinstance(data, dict) and set(data) == {"articles"} else data
    if form == "mpnews" and isinstance(articles, list):
        articles = [reader.thumb(a, i) if isinstance(a, dict) else a for i, a in enumerate(articles, 1)]
    return M.build(form, safe, articles=articles)


class _Reader:
    """Reads what the request names (stdin, YAML/JSON files, media), keeping
    every problem instead of stopping at the first."""

    def __init__(self, stdin: BinaryIO | None) -> None:
        self.stdin = stdin
        self.problems: list[str] = []
        self.label = ""  # "FILE: " in front of the problems of a message or articles file
        self.base = ""  # where an articles file's `thumb` paths start
        self.thumbs: dict[M.Pending, str] = {}

    def _bytes(self, path: str, label: str, limit: int) -> tuple[bytes, int] | None:
        try:
            if path == STDIN:
                if self.stdin is None:
                    raise OSError("no standard input")
                data = self.stdin.read(limit + 1)
                return data, len(data)
            # O_NONBLOCK: a FIFO opens at once (and is refused) instead of
            # waiting for a writer forever (issue 20).
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                os.close(fd)
                self.problems.append(f"{label}: not a regular file (a FIFO, a device or a directory): not read")
                return None
            with open(fd, "rb") as f:
                return f.read(limit + 1), info.st_size
        except OSError as exc:
            self.problems.append(f"{label}: cannot read it: {exc.strerror or exc}")
            return None

    def text(self, path: str, what: str) -> str | None:
        read = self._bytes(path, f"{what} {path}", _FILE_BYTES_MAX)
        if read is None:
            return None
        try:
            # `echo ... |` ends the text with a line break that is not part of the message
            return read[0].decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            self.problems.append(f"{what} {path}: not UTF-8 text")
            return None

    def data(self, path: str, what: str) -> Any:
        name = "<stdin>" if path == STDIN else path
        read = self._bytes(path, f"{what} {path}", _FILE_BYTES_MAX)
        if read is None:
            return None
        if read[1] > _FILE_BYTES_MAX:
            self.problems.append(f"{what} {path}: {read[1]:,} bytes; a message file is at most "
                                 f"{_FILE_BYTES_MAX:,}")
            return None
        parsed = parse(name, read[0])
        self.problems += [f"{d.source.located}: {d.message}" for d in parsed.errors]
        self.problems += [f"{name}: a key must be a string" for _ in parsed.bad_keys[:1]]
        if parsed.errors or parsed.bad_keys:
            return None
        if parsed.root is None:
            self.problems.append(f"{what} {path}: the file is empty")
            return None
        self.label = f"{name}: "
        self.base = "" if path == STDIN else os.path.dirname(path)
        return parsed.data

    def thumb(self, article: dict, number: int) -> dict:
        """An mpnews article may name its thumbnail as a local image, `thumb: PATH`."""
        if "thumb" not in article:
            return article
        article = dict(article)
        path = article.pop("thumb")
        if not isinstance(path, str) or not path:
            self.problems.append(f"{self.label}mpnews article {number}: thumb must be the path of an image")
        elif "thumb_media_id" in article:
            self.problems.append(f"{self.label}mpnews article {number}: give thumb or thumb_media_id, not both")
        else:
            pending = M.Pending("image", os.path.join(self.base, path))
            self.thumbs.setdefault(pending, f"{self.label}mpnews article {number}: thumb {path}")
            article["thumb_media_id"] = pending
        return article

    def media(self, pending: M.Pending, label: str) -> LocalFile | None:
        read = self._bytes(pending.path, label, MEDIA_MAX_BYTES[pending.kind])
        if read is None:
            return None
        name = os.path.basename(pending.path)
        problems = media_problems(pending.kind, name, read[0], read[1])
        self.problems += [f"{label}: {p}" for p in problems]
        return None if problems else LocalFile(name, read[0])
