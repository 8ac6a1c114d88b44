"""The markdown plan for a pull-request comment: marker first, summary table
first, then errors and removals, people (leavers first, folded when many),
detail folded, and never over GitHub's 65,536-character limit, whatever the
plan."""

from __future__ import annotations

import pytest

import re

from reconciler.core.model import DesiredChat, LiveChat, ReadError
from reconciler.core.plan import Plan
from reconciler.core.planner import make_plan
from reconciler.render import MARKER, render_markdown
from tests.builders import desired, live

LIMIT = 65_536
TABLE_HEAD = "| Create | Update | Unchanged | Errors | Members added | Members removed |"


def mixed_plan() -> Plan:
    ten = " ".join(f"u{i}" for i in range(10))
    return make_plan(
        [desired("newchat", "alice bob", "alice", "New chat"),
         desired("sre", "bob carol", "bob", "SRE On-call"),
         desired("big", "u0 u1 u2 u3 u4 u5", "u0", "Big"),
         desired("same", "alice bob", "alice", "Same"),
         desired("legacy", "alice bob", "alice", "Legacy")],
        {"newchat": None, "sre": live("sre", "alice bob dave", "alice", "SRE"), "big": live("big", ten, "u0", "Big"),
         "same": live("same", "alice bob", "alice", "Same"),
         "legacy": ReadError("legacy", 86008, "chat was not created by this app")})


def test_marker_is_the_first_line_and_summary_table_comes_first():
    out = render_markdown(mixed_plan())
    lines = out.splitlines()
    assert lines[0] == MARKER == "<!-- appchat-plan -->"
    table = lines.index(TABLE_HEAD)
    assert lines[table + 2] == "| 1 | 2 | 1 | 1 | +1 | −6 |"
    # What a reviewer must not miss comes right after the summary; people after it.
    order = [out.index(h) for h in (TABLE_HEAD, "#### ❌ Errors", "#### ⚠️ Removals", "#### ⚠️ Warnings",
                                    "#### People", "#### Changes by chat")]
    assert order == sorted(order)
    assert out.endswith("</details>\n")


def _many_people_plan(people: int) -> Plan:
    leaving = [f"old{i:03d}" for i in range(people // 2)]
    joining = [f"new{i:03d}" for i in range(people - len(leaving))]
    return make_plan([desired("big", " ".join(["owner", *joining]), "owner", "Big")],
                     {"big": live("big", " ".join(["owner", *leaving]), "owner", "Big")})


def test_people_fold_when_long_and_stay_open_when_short():
    from reconciler.render.markdown import PEOPLE_FOLD_ROWS
    short = render_markdown(_many_people_plan(PEOPLE_FOLD_ROWS))
    assert "#### People" in short and "<b>People</b>" not in short
    long = render_markdown(_many_people_plan(300))
    assert "#### People" not in long
    fold = long.index("<details><summary><b>People</b>: 300, 150 of them leaving chats</summary>\n\n| Person |")
    assert long.index("#### ⚠️ Removals") < fold < long.index("#### Changes by chat")
    table = long[fold:long.index("</details>", fold)]
    assert sum(line.startswith("| <code>") for line in table.splitlines()) == 300
    assert long.count("<details><summary>") == long.count("</details>")


def test_people_removals_first():
    out = render_markdown(mixed_plan())
    rows = [line for line in out.splitlines() if line.startswith("| <code>")]
    leavers = [r for r in rows if "⚠️" in r]
    assert rows[:len(leavers)] == leavers and len(leavers) == 6  # alice dave u6..u9
    assert rows[0].startswith("| <code>alice</code> | ⚠️ <code>sre</code>")


def test_removals_are_prominent_and_name_everyone_removed():
    out = render_markdown(mixed_plan())
    assert ("- <code>big</code> \"Big\": removes **4** of 10 members: "
            "<code>u6</code> (not in the files), <code>u7</code> (not in the files), <code>u8</code> (not in the files), "
            "<code>u9</code> (not in the files)") in out
    assert "- <code>big</code>: mass removal: removes 4 of 10 members (40%)" in out
    assert "- <code>legacy</code>: 86008 chat was not created by this app" in out


def test_per_chat_detail_is_folded_as_a_diff():
    out = render_markdown(mixed_plan())
    assert out.count("<details><summary>") == 3 == out.count("</details>")
    block = out[out.index("<details><summary>✏️ update <code>sre</code>"):]
    block = block[:block.index("</details>")]
    assert ("```diff\n~ name: \"SRE\" -> \"SRE On-call\"\n~ owner: alice -> bob\n- alice  (not in the files)\n"
            "- dave  (not in the files)\n+ carol  (<memory>:1)\n```") in block


def test_no_changes():
    out = render_markdown(Plan(unchanged=("a",)))
    assert out.splitlines()[0] == MARKER
    assert TABLE_HEAD in out and "| 0 | 0 | 1 | 0 | +0 | −0 |" in out
    assert out.endswith("No changes. WeCom matches the files.\n")


def test_small_plan_is_not_cut():
    assert "too long" not in render_markdown(mixed_plan())


def test_names_cannot_break_the_table_or_inject_html_or_mentions():
    plan = make_plan([desired("a", "alice bob", "alice", "x | y <script>@team</script>")],
                     {"a": live("a", "alice bob", "alice", "old")})
    out = render_markdown(plan)
    outside_code = re.sub(r"```diff\n.*?```", "", out, flags=re.S)
    assert '~ name: "old" -> "x | y <script>@team</script>"' in out  # literal inside the diff block
    assert "<script>" not in outside_code and "@team" not in outside_code and "x | y" not in outside_code
    assert "x &#124; y &#60;script&#62;&#64;team" in outside_code


def huge_plan(chats=3000, members=200) -> Plan:
    desired, live = [], {}
    for i in range(chats):
        everyone = [f"user{i:04d}x{j:03d}" for j in range(members)]
        chat_id = f"chat{i:05d}"
        desired.append(DesiredChat(chat_id, f"Chat {i}", everyone[0], frozenset(everyone[members // 2:] + everyone[:1])))
        live[chat_id] = LiveChat(chat_id, f"Chat {i}", everyone[0], frozenset(everyone[:members - 10]))
    desired.append(DesiredChat("zzbroken", "B", "a", frozenset({"a", "b"})))
    live["zzbroken"] = ReadError("zzbroken", -1, "system busy")
    return make_plan(desired, live)


@pytest.mark.slow
def test_markdown_stays_under_the_limit_for_a_huge_plan_and_keeps_the_summary():
    plan = huge_plan()
    out = render_markdown(plan)
    assert len(out) < LIMIT
    s = plan.summary
    assert out.splitlines()[0] == MARKER
    assert (f"| 0 | {s['update']} | 0 | 1 | +{s['members_added']} | −{s['members_removed']} |") in out
    assert s["update"] == 3000 and s["members_removed"] == 3000 * 99
    assert "**This plan is too long for one comment**" in out
    cut = re.search(r"([\d,]+) of 3,000 chat details", out)
    assert cut and 0 < int(cut.group(1).replace(",", "")) <= 3000
    assert "more chats, cut to stay under GitHub's comment limit._" in out
    # every section keeps a share: the error, some warnings, removals, people and detail
    assert "- <code>zzbroken</code>: -1 system busy" in out
    assert out.count("mass removal: removes 99 of 190 members (52.1%)") >= 10
    assert out.count("removes **99** of 190 members") >= 1
    assert out.count("| ⚠️ <code>chat00000</code> |") >= 10
    assert out.count("<details><summary>") >= 1
    # what is kept is whole: no <details> block is cut in half
    assert out.count("<details><summary>") == out.count("</details>")


def test_a_single_enormous_chat_stays_under_the_limit():
    everyone = [f"a-rather-long-user-id-{j:04d}" for j in range(2000)]
    others = [f"another-long-user-id-{j:04d}" for j in range(2000)]
    plan = make_plan([DesiredChat("c", "C", others[0], frozenset(others))],
                     {"c": LiveChat("c", "C", everyone[0], frozenset(everyone))})
    out = render_markdown(plan)
    assert len(out) < LIMIT
    assert "| 0 | 1 | 0 | 0 | +2000 | −2000 |" in out


def test_only_warnings_still_says_there_are_no_changes_as_the_text_plan_does():
    from datetime import date

    from reconciler.core.model import USER, Entry, Source
    from reconciler.render import render_text

    ending = Entry.of_user("vera", Source("chats/a.yaml", 7, 9), date(2027, 1, 31), "contractor")
    plan = make_plan([DesiredChat("ops", "Ops", "alice", frozenset({"alice", "bob"}), grants=(ending,))],
                     {"ops": live("ops", "alice bob vera", "alice", "Ops")}, today=date(2027, 1, 28))
    assert plan.expiring and not plan.changes
    out = render_markdown(plan)
    assert "#### ⚠️ Warnings" in out and "membership of vera ends 2027-01-31: contractor" in out
    assert out.endswith("\n\nNo changes. WeCom matches the files.\n")
    assert render_text(plan).endswith("\nNo changes. WeCom matches the files.\n")
