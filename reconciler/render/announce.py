"""The markdown message `apply --announce` sends a chat: who joined, who
left, a rename, a new owner.

WeCom caps markdown content at 2048 bytes, so long lists are cut to "and N
more" rather than letting the API reject the whole message.
"""

from __future__ import annotations

from typing import Sequence

from reconciler.core.facts import MARKDOWN_MAX_BYTES


def _names(ids: Sequence[str], shown: int) -> str:
    if shown >= len(ids):
        return ", ".join(ids)
    more = len(ids) - shown
    head = ", ".join(ids[:shown])
    return f"{head} and {more} more" if shown else f"{more} people"


def _compose(title: str, lines_before: list[str], joined: Sequence[str], left: Sequence[str],
             shown: int) -> str:
    lines = [title, *lines_before]
    if joined:
        lines.append(f"> Joined ({len(joined)}): {_names(joined, shown)}")
    if left:
        lines.append(f"> Left ({len(left)}): {_names(left, shown)}")
    return "\n".join(lines)


def message_for(change, limit: int = MARKDOWN_MAX_BYTES) -> str | None:
    """The markdown announcing `change`, at most `limit` UTF-8 bytes; None
    when nothing a member would care about changed."""
    joined = sorted(change.added)
    left = sorted(change.removed)
    before, after = change.before, change.after
    extra = []
    if before is not None and before.name != after.name:
        extra.append(f"> Renamed: {before.name} → {after.name}")
    if before is not None and before.owner != after.owner:
        extra.append(f"> New owner: {after.owner}")
    if not (joined or left or extra):
        return None
    title = f"**Membership update: {after.name}**"

    def fits(shown: int) -> bool:
        return len(_compose(title, extra, joined, left, shown).encode("utf-8")) <= limit

    longest = max(len(joined), len(left))
    if fits(longest):
        return _compose(title, extra, joined, left, longest)
    # The largest count of names per list that fits; the text only grows
    # with `shown`, so binary search is exact.
    lo, hi = 0, longest
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    text = _compose(title, extra, joined, left, lo)
    # Names are short ids and the title at most 50 characters, so lo == 0
    # always fits; the cut is belt and braces for a pathological limit.
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
