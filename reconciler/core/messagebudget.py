"""WeCom's message budget: warning before a run's messages would exceed
it (per member a minute and a day, person-times a minute and an hour).
(The write quotas are core.writequotas.)

Pure.
"""

from __future__ import annotations

from typing import Iterable

from reconciler.core.facts import (MESSAGE_PERSON_TIMES_PER_HOUR_MIN, MESSAGE_PERSON_TIMES_PER_MINUTE,
                                   MESSAGES_PER_MEMBER_PER_DAY, MESSAGES_PER_MEMBER_PER_MINUTE)
from reconciler.core.userids import UserMap, canonical


def message_budget_warnings(recipients: Iterable[Iterable[str]], what: str = "this run's messages") -> list[str]:
    """Warnings before sending one message to each list of members in
    `recipients` (a chat's members, one list per message): where WeCom's
    message budget would not hold them were they sent within one minute, as
    a run sends them. A member past 200 a minute or 10,000 a day from one
    app misses the rest without an error; past 20,000 person-times a minute
    (a message to a chat of N counts N) the corp's messages are refused."""
    per_member: UserMap[int] = UserMap()
    person_times = 0
    for members in recipients:
        for member in members:
            per_member[member] = per_member.get(member, 0) + 1
            person_times += 1
    warnings = []
    for limit, ceiling, span in ((MESSAGES_PER_MEMBER_PER_DAY, None, "a day"),
                                 (MESSAGES_PER_MEMBER_PER_MINUTE, MESSAGES_PER_MEMBER_PER_DAY, "a minute")):
        over = sorted((key for key, n in per_member.items() if limit < n and (ceiling is None or n <= ceiling)),
                      key=lambda k: (-per_member[k], canonical(k)))
        if over:
            named = ", ".join(f"{k} ({per_member[k]:,})" for k in over[:5])
            more = f" and {len(over) - 5} more" if len(over) > 5 else ""
            warnings.append(f"message budget: {what} would reach {len(over)} member{'s' if len(over) != 1 else ''} "
                            f"more than {limit:,} times: {named}{more}. WeCom delivers at most {limit:,} messages "
                            f"{span} from one app to one member and drops the rest without an error.")
    for limit, span in ((MESSAGE_PERSON_TIMES_PER_HOUR_MIN, "an hour (the budget of the smallest companies)"),
                        (MESSAGE_PERSON_TIMES_PER_MINUTE, "a minute")):
        if person_times > limit:
            warnings.append(f"message budget: {what} count {person_times:,} person-times (a message to a chat "
                            f"of N members counts N); WeCom allows a corp {limit:,} {span}, and messages past "
                            f"it are refused (45009).")
            break
    return warnings
