"""The admin surface under /_emulator/, for tests, benchmarks and demos.

    GET  calls          {"calls": [...], "counts": {...}}
    GET  counts         {"gettoken": 1, "appchat/get": 3}
    POST clear-calls    forget the call log
    POST reset          chats back to the seed (body: optional {"seed": {...}})
    GET  faults         current fault settings
    POST faults         merge fault settings (JSON object; see FaultSettings)
    GET  limits / POST limits   quota limits and token_ttl
    GET  chats          {"chats": [ids]}
    GET  chats/<id>     one chat as stored (404 when unknown)
    POST chats/<id>     change it as a person in the WeCom client would:
                        {"add": [ids], "remove": [ids], "name": "...", "owner": "id"},
                        any of them; the chat afterwards (400 and no change
                        when refused, 404 when unknown). Not an API call: not
                        in the call log, not counted against the quotas.
    GET  messages[/<id>] messages accepted by appchat/send
    GET  directory      the seeded directory: departments, users, tags, visible, closed
    GET  load           {"in_flight", "peak_in_flight", "peak_serving"}: API requests at once
"""

from __future__ import annotations

import json

from .api import Api, Reply, json_reply
from .org import directory_view


def _body(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    body = json.loads(raw.decode("utf-8"))
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def handle(api: Api, method: str, path: str, raw: bytes) -> Reply:
    path = path.strip("/")
    try:
        if method == "GET":
            return _get(api, path)
        if method == "POST":
            return _post(api, path, _body(raw))
    except ValueError as e:  # includes json.JSONDecodeError and bad settings
        return json_reply({"error": str(e)}, 400)
    return json_reply({"error": f"{method} not allowed"}, 405)


def _get(api: Api, path: str) -> Reply:
    if path == "calls":
        return json_reply({"calls": api.calls(), "counts": api.counts()})
    if path == "counts":
        return json_reply(api.counts())
    if path == "faults":
        return json_reply(api.set_faults())
    if path == "limits":
        return json_reply(api.set_limits())
    if path == "chats":
        return json_reply({"chats": api.chat_ids()})
    if path.startswith("chats/"):
        chat = api.chat(path[len("chats/"):])
        return json_reply(chat, 200) if chat else json_reply({"error": "no such chat"}, 404)
    if path == "messages" or path.startswith("messages/"):
        chat_id = path[len("messages/"):] or None if "/" in path else None
        return json_reply({"messages": api.sent(chat_id)})
    if path == "directory":
        with api.lock:
            return json_reply(directory_view(api.store.org, api.store.directory() is not None))
    if path == "load":
        return json_reply(api.load.figures(api.in_flight))
    if path == "health":
        return json_reply({"ok": True})
    return json_reply({"error": f"unknown admin path {path!r}"}, 404)


def _post(api: Api, path: str, body: dict) -> Reply:
    if path == "reset":
        api.reset(body.get("seed"))
        api.load.reset(api.in_flight)
        return json_reply({"ok": True})
    if path == "clear-calls":
        api.clear_calls()
        return json_reply({"ok": True})
    if path == "faults":
        return json_reply(api.set_faults(**body))
    if path == "limits":
        return json_reply(api.set_limits(**body))
    if path.startswith("chats/"):
        chat = api.edit_chat(path[len("chats/"):], body)
        return json_reply(chat, 200) if chat else json_reply({"error": "no such chat"}, 404)
    return json_reply({"error": f"unknown admin path {path!r}"}, 404)
