"""`apply --announce`: after a chat's update succeeded, send it one markdown
message naming who joined and who left (the wording is render.announce's,
or the template given with --announce-template). A chat whose file says
`announce: false` gets nothing."""

from __future__ import annotations

from reconciler.app.outcome import Stop, refused
from reconciler.core.plan import Change
from reconciler.core.report import Announcement
from reconciler.core.wecomapi import WeComApi
from reconciler.render.announce import AnnounceTemplate, TemplateError, message_for, parse_template
from reconciler.wecom.errors import WeComError

_TEMPLATE_MAX_BYTES = 64 * 1024  # far above what WeCom could send; a guard against the wrong file


def load_template(path: str) -> AnnounceTemplate:
    """The template in FILE; a refusal (Stop, before any API call) when it cannot be used."""
    try:
        with open(path, "rb") as f:
            raw = f.read(_TEMPLATE_MAX_BYTES + 1)
    except OSError as exc:
        raise Stop(refused(f"--announce-template {path}: cannot read it: {exc.strerror or exc}")) from None
    try:
        if len(raw) > _TEMPLATE_MAX_BYTES:
            raise TemplateError(f"more than {_TEMPLATE_MAX_BYTES:,} bytes: not a message template")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError("not UTF-8 text") from None
        return parse_template(text)
    except TemplateError as exc:
        where = f"{path}:{exc.line}:{exc.col}" if exc.line else path
        raise Stop(refused(f"--announce-template {where}: {exc}")) from None


def announce_change(client: WeComApi, change: Change, template: AnnounceTemplate | None = None) -> Announcement | None:
    """Send the announcement; a failure is reported, never raised, because
    the membership change it describes has already succeeded."""
    if not change.announce:
        return None
    text = message_for(change, template=template)
    if text is None:
        return None
    try:
        client.send(change.chat_id, "markdown", {"content": text})
    except WeComError as exc:
        return Announcement("failed", exc.errcode, exc.errmsg)
    except Exception as exc:  # an announcement must not turn an applied chat into a failure
        return Announcement("failed", None, f"unexpected {type(exc).__name__}: {exc}")
    return Announcement("sent")
