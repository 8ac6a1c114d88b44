"""Error bodies shaped like WeCom's: HTTP 200, {"errcode", "errmsg"}, and an
errmsg that carries a changing hint, so clients are pushed to key on errcode."""

from __future__ import annotations

import itertools
import secrets

# Codes the emulator answers that reconciler.core.facts does not name.
INVALID_CORPID_MISSING = 41002
CORPSECRET_MISSING = 41004
REQUIRE_GET = 43001
REQUIRE_POST = 43002
DATA_FORMAT_ERROR = 47001
INVALID_URL = 40066

_counter = itertools.count(1)


def _hint() -> str:
    return f"[{next(_counter)}_{secrets.token_hex(8)}]"


def error(code: int, text: str, client_ip: str = "127.0.0.1") -> dict:
    if code == 0:
        return {"errcode": 0, "errmsg": "ok"}
    return {
        "errcode": int(code),
        "errmsg": f"{text}, hint: {_hint()}, from ip: {client_ip}, "
                  f"more info at https://open.work.weixin.qq.com/devtool/query?e={int(code)}",
    }
