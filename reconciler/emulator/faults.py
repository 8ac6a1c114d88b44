"""Faults a client must survive, chosen per request from runtime settings.

Two sources: rates (a seeded RNG decides, so a run repeats) and a script of
one-shot faults consumed in order (deterministic, for tests that need "busy
exactly twice, then fine")."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field, fields, replace

from reconciler.core.facts import ErrCode as E

KINDS = ("busy", "overload", "drop", "slow", "garbage", "http", "errcode", "field")
FIELD_ACTIONS = ("drop", "mistype")


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: int = 0            # added to every API request
    latency_jitter_ms: int = 0     # each request's latency is uniform in latency_ms ± this (>= 0)
    capacity: int = 0              # API requests worked on at once; the rest wait in line; 0 = no limit
    busy_rate: float = 0.0         # share answered {"errcode": -1}
    drop_rate: float = 0.0         # share whose connection is closed without an answer
    overload_rate: float = 0.0     # share answered 45033 (too many concurrent calls)
    max_concurrent: int = 0        # more API requests in flight than this -> 45033; 0 = no limit
    slow_rate: float = 0.0         # share delayed by slow_ms before being answered
    slow_ms: int = 5000
    garbage_rate: float = 0.0      # share answered HTTP 200 with a non-JSON body
    http_error_rate: float = 0.0   # share answered with HTTP http_error_status
    http_error_status: int = 502
    fault_paths: tuple[str, ...] = ()   # API paths faults apply to; empty = all
    script: tuple[dict, ...] = field(default=())

    def data(self) -> dict:
        d = asdict(self)
        d["fault_paths"] = list(self.fault_paths)
        d["script"] = [dict(s) for s in self.script]
        return d


FAULT_FIELDS = tuple(f.name for f in fields(FaultSettings))
_RATES = ("busy_rate", "drop_rate", "overload_rate", "slow_rate", "garbage_rate", "http_error_rate")
_INTS = ("latency_ms", "latency_jitter_ms", "capacity", "max_concurrent", "slow_ms")


@dataclass(frozen=True)
class Fault:
    kind: str
    errcode: int | None = None
    status: int = 502
    ms: int = 0
    after: bool = False   # drop/garbage/http after the request took effect (the answer is lost)
    field: str | None = None  # "field": the answer's field to drop or mistype, dotted ("chat_info.userlist")
    action: str = "drop"


def _script_entry(entry) -> dict:
    if not isinstance(entry, dict):
        raise ValueError("a script entry must be an object like {\"fault\": \"busy\"}")
    unknown = set(entry) - {"fault", "path", "errcode", "status", "ms", "after", "count", "field", "action"}
    if unknown:
        raise ValueError(f"unknown script entry keys: {', '.join(sorted(unknown))}")
    if entry.get("fault") not in KINDS:
        raise ValueError(f"script entry fault must be one of {', '.join(KINDS)}")
    if entry["fault"] == "errcode" and not isinstance(entry.get("errcode"), int):
        raise ValueError("a script entry with fault \"errcode\" needs an integer errcode")
    if entry["fault"] == "field":
        if not isinstance(entry.get("field"), str) or not entry["field"]:
            raise ValueError("a script entry with fault \"field\" needs a field, e.g. \"userlist\" or "
                             "\"chat_info.owner\"")
        if entry.get("action", "drop") not in FIELD_ACTIONS:
            raise ValueError(f"a field fault's action must be one of {', '.join(FIELD_ACTIONS)}")
    count = entry.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise ValueError("script entry count must be a whole number >= 1")
    return {**entry, "count": count}


def updated(settings: FaultSettings, changes: dict) -> FaultSettings:
    """Settings with `changes` applied; ValueError on unknown names or bad values."""
    unknown = set(changes) - set(FAULT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(FAULT_FIELDS)}")
    clean = {}
    for key, value in changes.items():
        if key in _RATES:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a number between 0 and 1")
            value = float(value)
        elif key in _INTS or key == "http_error_status":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key} must be a whole number >= 0")
            if key == "http_error_status" and not 400 <= value <= 599:
                raise ValueError("http_error_status must be between 400 and 599")
        elif key == "fault_paths":
            if isinstance(value, str) or not all(isinstance(p, str) for p in value):
                raise ValueError("fault_paths must be a list of API paths")
            value = tuple(value)
        elif key == "script":
            value = tuple(_script_entry(e) for e in value)
        clean[key] = value
    return replace(settings, **clean)


def choose(settings: FaultSettings, path: str, rng: random.Random) -> tuple[Fault | None, FaultSettings]:
    """The fault for one request to `path` (or None), and the settings after it
    (a matched script entry is used up)."""
    for i, entry in enumerate(settings.script):
        if entry.get("path") not in (None, path):
            continue
        script = list(settings.script)
        if entry["count"] > 1:
            script[i] = {**entry, "count": entry["count"] - 1}
        else:
            del script[i]
        fault = Fault(kind=entry["fault"], errcode=entry.get("errcode"),
                      status=entry.get("status", settings.http_error_status),
                      ms=entry.get("ms", settings.slow_ms), after=bool(entry.get("after", False)),
                      field=entry.get("field"), action=entry.get("action", "drop"))
        return fault, replace(settings, script=tuple(script))
    if settings.fault_paths and path not in settings.fault_paths:
        return None, settings
    for kind, rate in (("drop", settings.drop_rate), ("http", settings.http_error_rate),
                       ("garbage", settings.garbage_rate), ("busy", settings.busy_rate),
                       ("overload", settings.overload_rate), ("slow", settings.slow_rate)):
        if rate and rng.random() < rate:
            return Fault(kind=kind, status=settings.http_error_status, ms=settings.slow_ms), settings
    return None, settings


def errcode_of(fault: Fault) -> int | None:
    """The WeCom error a fault answers with, when it answers with one."""
    if fault.kind == "busy":
        return E.BUSY
    if fault.kind == "overload":
        return E.TOO_MANY_CONCURRENT
    if fault.kind == "errcode":
        return fault.errcode
    return None


def reshaped(answer: dict, fault: Fault) -> dict:
    """The answer with the fault's field dropped or given a value of another
    JSON type: a list or an object becomes the string "mistyped", a string
    the number 0, a number the string of its digits, anything else a list.
    `field` is dotted, a list's items by index (`department_id.0.id`); a
    field the answer does not hold leaves it as it is."""
    *parents, last = (fault.field or "").split(".")
    answer = json.loads(json.dumps(answer))  # a copy: the state is never touched
    holder: object = answer
    for key in parents:
        holder = _child(holder, key)
    if isinstance(holder, list) and last.isdigit() and int(last) < len(holder):
        index: int | str = int(last)
    elif isinstance(holder, dict) and last in holder:
        index = last
    else:
        return answer
    if fault.action == "drop":
        del holder[index]  # type: ignore[arg-type]
    else:
        holder[index] = _mistyped(holder[index])  # type: ignore[index]
    return answer


def _child(holder: object, key: str) -> object:
    if isinstance(holder, dict):
        return holder.get(key)
    if isinstance(holder, list) and key.isdigit() and int(key) < len(holder):
        return holder[int(key)]
    return None


def _mistyped(value: object) -> object:
    if isinstance(value, (list, dict)):
        return "mistyped"
    if isinstance(value, str):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return []
