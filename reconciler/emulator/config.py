"""EmulatorConfig: every knob of the emulator in one flat, plain dataclass.

Flat on purpose: the CLI maps one option to one field, and tests override any
field by keyword (`EmulatorConfig(busy_rate=0.5)`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from reconciler.core import facts as C

DEFAULT_CORP_ID = "wwdemo"
DEFAULT_CORP_SECRET = "demo-secret"


@dataclass
class EmulatorConfig:
    corp_id: str = DEFAULT_CORP_ID
    corp_secret: str = DEFAULT_CORP_SECRET
    host: str = "127.0.0.1"
    port: int = 0
    token_ttl: float = C.TOKEN_TTL_SECONDS
    seed: Any = None                 # None | dict | path to a YAML/JSON file
    state_path: str | None = None    # SQLite file; None = in memory
    # Quotas; 0 disables one.
    calls_per_minute: int = C.CALLS_PER_MINUTE_PER_API
    calls_per_hour: int = C.CALLS_PER_HOUR_PER_API
    changes_per_hour: int = C.CHAT_CHANGES_PER_HOUR
    creates_per_day: int = C.CHAT_CREATES_PER_DAY
    calls_per_minute_per_ip: int = C.CALLS_PER_MINUTE_PER_IP
    calls_per_hour_per_ip: int = C.CALLS_PER_HOUR_PER_IP
    # The message budget: a member's excess is dropped silently, as WeCom
    # does; past the corp's person-times a message is refused (45009).
    messages_per_minute: int = C.MESSAGES_PER_MEMBER_PER_MINUTE
    messages_per_day: int = C.MESSAGES_PER_MEMBER_PER_DAY
    person_times_per_minute: int = C.MESSAGE_PERSON_TIMES_PER_MINUTE
    # The corp admin's member cap for group chats (5..2000): a create or an
    # addition past it is 86006, as past 2000.
    member_cap: int = C.MAX_MEMBERS
    # False: the app is not visible to the root department, so
    # appchat/create answers 48002 (whatever the seed's `visible` says).
    visible_to_root: bool = True
    # What appchat/update answers when del_user_list names a member who is not
    # in the seeded directory (someone who left): 0 lets it through, 86216 or
    # 40003 refuses the whole call (rules.DEPARTED_ERRCODES).
    departed_removal_errcode: int = 0
    # Faults (see faults.FaultSettings for meaning); changeable at runtime.
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    capacity: int = 0
    busy_rate: float = 0.0
    drop_rate: float = 0.0
    overload_rate: float = 0.0
    max_concurrent: int = 0
    slow_rate: float = 0.0
    slow_ms: int = 5000
    garbage_rate: float = 0.0
    http_error_rate: float = 0.0
    http_error_status: int = 502
    fault_paths: tuple[str, ...] = ()
    random_seed: int | None = 0      # seeds fault draws and owner picks: runs repeat
    # Injectable time source (seconds); tests pass a fake clock so quotas and
    # token expiry are exercised without sleeping.
    clock: Callable[[], float] = field(default=time.time, repr=False)
    # How latency and slow answers wait; tests record instead of sleeping.
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
