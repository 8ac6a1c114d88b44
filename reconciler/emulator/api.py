"""The WeCom endpoints under /cgi-bin/, without HTTP: a request in, a Reply out.

Owns the lock: every read or write of chats, tokens, quotas, faults and the
call log happens under it, so the threaded server is safe under concurrent
requests. Sleeps (latency, slow answers) happen outside it."""

from __future__ import annotations

import hmac
import json
import random
import secrets
import string
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

from reconciler.core import facts as C
from reconciler.core.facts import ErrCode as E

from . import faults as F
from . import errorbodies as M
from . import directoryrules, outbox, rules
from .calllog import CallLog, redact_query, scrub
from .config import EmulatorConfig
from .control import Control
from .load import Load
from .quotas import LIMIT_NAMES, Quotas
from .seed import Seed, load_seed
from .state import Store
from .tokens import Tokens

_GET_ONLY = {C.GETTOKEN, C.APPCHAT_GET, *directoryrules.PATHS}
API_PATHS = (C.GETTOKEN, C.APPCHAT_CREATE, C.APPCHAT_GET, C.APPCHAT_UPDATE, C.APPCHAT_SEND, C.MEDIA_UPLOAD,
             *directoryrules.PATHS)
_GARBAGE = b"<html><head><title>502 Bad Gateway</title></head><body>stgw</body></html>"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    drop: bool = False
    errcode: int | None = None  # a JSON answer's, for the call log without reading the body back


def json_reply(payload, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                 errcode=payload.get("errcode") if isinstance(payload, dict) else None)


def _fault_reply(fault: F.Fault, ip: str) -> Reply:
    if fault.kind == "drop":
        return Reply(drop=True)
    if fault.kind == "garbage":
        return Reply(200, _GARBAGE, "text/html")
    if fault.kind == "http":
        return Reply(fault.status, b"<html><body>server error</body></html>", "text/html")
    code = F.errcode_of(fault)
    text = {E.BUSY: "system is busy", E.TOO_MANY_CONCURRENT: "api concurrent out of limit"}.get(code, "error")
    return json_reply(M.error(code, text, ip))


def _first(query: dict, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


class Api(Control):
    def __init__(self, config: EmulatorConfig):
        if config.departed_removal_errcode not in rules.DEPARTED_ERRCODES:
            raise ValueError(f"departed_removal_errcode must be one of {rules.DEPARTED_ERRCODES}")
        if isinstance(config.member_cap, bool) or not C.MEMBER_CAP_MIN <= config.member_cap <= C.MAX_MEMBERS:
            raise ValueError(f"member cap {config.member_cap!r}: a corp admin sets it between "
                             f"{C.MEMBER_CAP_MIN} and {C.MAX_MEMBERS}")
        self.config = config
        self.lock = threading.RLock()
        self.clock = config.clock
        self.seed: Seed = load_seed(config.seed)
        self.store = Store(config.state_path)
        if not self.store.initialised:  # an existing state file keeps its chats
            self.store.load(self.seed)
        self.tokens = Tokens(self.clock, config.token_ttl)
        self.quotas = Quotas(self.clock, **{name: getattr(config, name) for name in LIMIT_NAMES})
        self.initial_faults = F.updated(F.FaultSettings(), {
            k: getattr(config, k) for k in F.FAULT_FIELDS if k != "script"})
        self.faults = self.initial_faults
        self.rng = random.Random(config.random_seed)
        self.log = CallLog()
        self.outbox = outbox.Outbox(self.clock)  # appchat/send and media/upload
        self.in_flight = 0
        self.load = Load(config.sleep)  # latency, capacity, peak figures
        self.hooks: list = []  # fn(event, method, path): "request" before handling, "reply" after
        self.closed = False  # stopped: a request still in flight gets no state

    # -- the request path -------------------------------------------------

    def handle(self, method: str, path: str, query_string: str, raw: bytes, ip: str = "127.0.0.1",
               content_type: str | None = None) -> Reply:
        for hook in list(self.hooks):
            hook("request", method, path)
        try:
            return self._handle(method, path, query_string, raw, ip, content_type)
        finally:
            for hook in list(self.hooks):
                hook("reply", method, path)

    def _handle(self, method: str, path: str, query_string: str, raw: bytes, ip: str, content_type) -> Reply:
        query = parse_qs(query_string, keep_blank_values=True)
        # An upload is read once, here, outside the lock: for its answer and for the call log.
        form = outbox.read_form(content_type, raw) if path == C.MEDIA_UPLOAD else None
        if path not in API_PATHS:
            reply = json_reply(M.error(M.INVALID_URL, "invalid url"), 404)
            self._record(method, path, query, raw, reply, None, form)
            return reply
        with self.lock:
            self.in_flight += 1
            fault, self.faults = F.choose(self.faults, path, self.rng)
            settings = self.faults
            overloaded = bool(settings.max_concurrent) and self.in_flight > settings.max_concurrent
            self.in_flight -= overloaded  # refused on arrival: the server does not hold it
        try:
            with self.load.request(self.in_flight, settings, overloaded, self.rng, lambda: self.faults.capacity):
                if overloaded:
                    reply = json_reply(M.error(E.TOO_MANY_CONCURRENT, "api concurrent out of limit", ip))
                elif fault and fault.kind not in ("slow", "field") and not fault.after:
                    reply = _fault_reply(fault, ip)
                else:
                    if fault and fault.kind == "slow":
                        self.config.sleep(fault.ms / 1000)
                    answer = self._answer(method, path, query, raw, ip, form)
                    reply = json_reply(F.reshaped(answer, fault) if fault and fault.kind == "field" else answer)
                    if fault and fault.after and fault.kind != "field":
                        reply = _fault_reply(fault, ip)
        finally:
            with self.lock:
                self.in_flight -= not overloaded
        self._record(method, path, query, raw, reply, fault, form)
        return reply

    def _record(self, method, path, query, raw, reply: Reply, fault, form: outbox.Form | None) -> None:
        if form is not None:
            body = form.logged
        else:
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
        with self.lock:
            secret_values = [self.config.corp_secret, *self.tokens.known()]
            self.log.add({
                "method": method, "path": scrub(path, secret_values), "query": redact_query(query),
                "body": scrub(body, secret_values), "errcode": reply.errcode,
                "status": None if reply.drop else reply.status,
                "fault": fault.kind if fault else None, "ts": self.clock(),
            })

    def _answer(self, method: str, path: str, query: dict, raw: bytes, ip: str, form: outbox.Form | None) -> dict:
        def err(code, text):
            return M.error(code, text, ip)

        if path in _GET_ONLY and method != "GET":
            return err(M.REQUIRE_GET, "require GET method")
        if path not in _GET_ONLY and method != "POST":
            return err(M.REQUIRE_POST, "require POST method")
        if path == C.GETTOKEN:
            return self._gettoken(query, err, ip)
        with self.lock:
            code = self.tokens.check(_first(query, "access_token"))
            if code:
                text = {E.MISSING_TOKEN: "access_token missing", E.INVALID_TOKEN: "invalid access_token",
                        E.TOKEN_EXPIRED: "access_token expired"}[code]
                return err(code, text)
            if not self.quotas.take_call(path, ip):
                return err(E.FREQ_LIMIT, "api freq out of limit")
            if path == C.MEDIA_UPLOAD:
                return self.outbox.upload(_first(query, "type"), form, err)
        if path in directoryrules.PATHS:
            return directoryrules.answer(path, query, self.store.org, err)
        if path == C.APPCHAT_GET:
            with self.lock:
                result = rules.get(_first(query, "chatid"), self.store.get)
            if isinstance(result, rules.Reject):
                return err(result.errcode, result.errmsg)
            return {"errcode": 0, "errmsg": "ok", "chat_info": {**result.data(), "chat_type": 0}}
        body = _parse_body(raw)
        if isinstance(body, rules.Reject):
            return err(body.errcode, body.errmsg)
        with self.lock:
            if path == C.APPCHAT_CREATE:
                return self._create(body, err)
            if path == C.APPCHAT_UPDATE:
                return self._update(body, err)
            return self.outbox.send(body, self.store.get, self.quotas, err,
                                    [self.config.corp_secret, *self.tokens.known()])

    def _gettoken(self, query: dict, err, ip: str) -> dict:
        corp_id, secret = _first(query, "corpid"), _first(query, "corpsecret")
        if not corp_id:
            return err(M.INVALID_CORPID_MISSING, "corpid missing")
        if not secret:
            return err(M.CORPSECRET_MISSING, "corpsecret missing")
        with self.lock:
            if not self.quotas.take_call(C.GETTOKEN, ip):
                return err(E.FREQ_LIMIT, "api freq out of limit")
            # WeCom looks the corp up first: an unknown corp id is 40013
            # whatever the secret; a known one with a wrong secret is 40001.
            if not hmac.compare_digest(corp_id.encode(), self.config.corp_id.encode()):
                return err(E.INVALID_CORPID, "invalid corpid")
            if not hmac.compare_digest(secret.encode(), self.config.corp_secret.encode()):
                return err(E.INVALID_SECRET, "invalid credential")
            token, expires_in = self.tokens.issue()
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in}

    def _create(self, body: dict, err) -> dict:
        if not self.config.visible_to_root:
            return err(E.API_NOT_PERMITTED, "api forbidden: the app is not visible to the root department")
        if body.get("chatid") is None:  # WeCom makes one up
            body = {**body, "chatid": self._new_chat_id()}
        result = rules.create(body, self.store.get, self.store.directory(), self.rng.choice, self.config.member_cap)
        if isinstance(result, rules.Reject):
            return err(result.errcode, result.errmsg)
        if not self.quotas.can_create():
            return err(E.FREQ_LIMIT, "api freq out of limit: chats created today")
        self.store.put(result)
        self.quotas.record_create()
        return {"errcode": 0, "errmsg": "ok", "chatid": result.chatid}

    def _update(self, body: dict, err) -> dict:
        result = rules.update(body, self.store.get, self.store.directory(), self.config.departed_removal_errcode,
                              self.config.member_cap)
        if isinstance(result, rules.Reject):
            return err(result.errcode, result.errmsg)
        if not self.quotas.can_change():
            return err(E.FREQ_LIMIT, "api freq out of limit: chat changes this hour")
        self.store.put(result)
        self.quotas.record_change()
        return {"errcode": 0, "errmsg": "ok"}

    def _new_chat_id(self) -> str:
        alphabet = string.ascii_letters + string.digits
        while True:
            chatid = "wr" + "".join(secrets.choice(alphabet) for _ in range(22))
            if self.store.get(chatid) is None:
                return chatid

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.store.close()


def _parse_body(raw: bytes):
    # wechatpy sends raw UTF-8 and no Content-Type: the header is never looked at.
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return rules.Reject(M.DATA_FORMAT_ERROR, "data format error: body is not JSON")
    if not isinstance(body, dict):
        return rules.Reject(M.DATA_FORMAT_ERROR, "data format error: body must be a JSON object")
    return body
