"""A generated world of chats that drift every way a plan knows, for the
golden comparison of the plan outputs (tests/render/test_plan_golden.py).

Deterministic (one seeded random), small enough to read in a diff: 36 chats
of 6 to 40 members. Each chat takes one kind of drift in turn: none, people
who joined by hand, people who left, both, a rename, a new owner who is (or
is not yet) a member, the owner removed, letter case alone, letter case and
a real change, prune: false with an ended membership and an exclusion, a
mass removal, a chat to create, a chat that could not be read.
"""

from __future__ import annotations

import random
from datetime import date

from reconciler.core.directory import Directory
from reconciler.core.model import USER, DesiredChat, Exclusion, Entry, LiveChat, ReadError, Source
from reconciler.core.plan import Plan, Target
from reconciler.core.planner import make_plan

TODAY = date(2030, 1, 10)
KINDS = ("same", "joined", "left", "both", "rename", "owner_member", "owner_new", "owner_removed",
         "case_only", "case_and_change", "keep_ended_excluded", "mass_removal", "create", "error")
POOL = [f"user{i:03d}" for i in range(160)]
GONE = ("ghost01", "ghost02")  # in WeCom's chats, not in the directory


def world(seed: int = 25) -> tuple[list[DesiredChat], dict, Directory]:
    rng = random.Random(seed)
    desired, live = [], {}
    for n in range(36):
        kind = KINDS[n % len(KINDS)]
        chat_id = f"chat{n:02d}"
        users = sorted(rng.sample(POOL, rng.randrange(6, 41)))
        owner = users[0]
        source = Source("chats/world.yaml", 3 + 6 * n, 3)
        grants: tuple[Entry, ...] = ()
        exclude = Exclusion()
        prune = True
        have = set(users)
        have_owner, have_name = owner, f"Team {n}"
        outside = [u for u in POOL if u not in users]
        if kind == "joined":
            have |= set(rng.sample(outside, 3)) | {GONE[n % 2]}
        elif kind == "left":
            have -= set(users[1:4])
        elif kind == "both":
            have = (have - set(users[2:5])) | set(rng.sample(outside, 2))
        elif kind == "rename":
            have_name = f"Team {n} (old)"
        elif kind == "owner_member":
            have_owner = users[1]
        elif kind == "owner_new":
            have -= {owner}
            have_owner = users[1]
        elif kind == "owner_removed":
            extra = rng.choice(outside)
            have.add(extra)
            have_owner = extra
        elif kind == "case_only":
            have = {u.upper() if i % 3 == 0 else u for i, u in enumerate(users)}
            have_owner = owner.upper()
        elif kind == "case_and_change":
            have = {u.upper() if i % 2 else u for i, u in enumerate(users[:-2])} | {rng.choice(outside)}
        elif kind == "keep_ended_excluded":
            prune = False
            ended, excluded = users[-1], users[-2]
            users = users[:-2]
            grants = (Entry.of_user(ended, Source("chats/world.yaml", 5 + 6 * n, 9), date(2030, 1, 2), "contractor"),
                      Entry.of_user(rng.choice(outside), Source("chats/world.yaml", 6 + 6 * n, 9),
                                     date(2030, 1, 14), "on loan"))
            exclude = Exclusion(frozenset({excluded}))
            have |= set(rng.sample(outside, 2))
        elif kind == "mass_removal":
            have |= set(outside[:30])
        desired.append(DesiredChat(chat_id, f"Team {n}", owner, frozenset(users), prune, source,
                                   grants=grants, exclude=exclude))
        if kind == "create":
            live[chat_id] = None
        elif kind == "error":
            live[chat_id] = ReadError(chat_id, 86008, "no access to this chat")
        else:
            live[chat_id] = LiveChat(chat_id, have_name, have_owner, frozenset(have))
    names = {u: f"Person {u[-3:]}" for u in POOL[::2]}
    directory = Directory(members={1: tuple(POOL)}, names=names, complete=True)
    return desired, live, directory


def plan(seed: int = 25) -> Plan:
    desired, live, directory = world(seed)
    made = make_plan(desired, live, directory=directory, today=TODAY)
    return made.aimed_at(Target("wwgolden", "https://qyapi.weixin.qq.com/cgi-bin/"))
