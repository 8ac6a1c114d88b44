"""core.userids: WeCom tells users apart ignoring letter case, and keeps
their spelling. Every invariant here is one a caller no longer has to
remember."""

from __future__ import annotations

import random
import re

import pytest

from reconciler.core.userids import (UserIds, UserMap, canonical, closest_user, distinct_users, id_regex,
                                     joins_and_leaves, same_user, written_folded)


@pytest.mark.parametrize("a, b, same", [
    ("alice", "alice", True),
    ("Alice", "aLICE", True),
    ("zhang.san@corp", "Zhang.San@CORP", True),
    ("alice", "alicia", False),
    ("a-b", "a_b", False),
])
def test_one_user_whatever_the_letter_case(a, b, same):
    assert same_user(a, b) is same
    assert (a in UserIds([b])) is same
    assert (canonical(a) == canonical(b)) is same


def test_a_set_of_users_keeps_the_first_spelling_in_the_first_place():
    users = UserIds(["Bob", "alice", "BOB", "Carol", "ALICE"])
    assert list(users) == ["Bob", "alice", "Carol"]
    assert len(users) == 3
    assert users.spelled("bob") == "Bob" and users.spelled("dave") is None
    assert users.spelled("dave", "dave") == "dave"


def test_membership_ignores_case_and_never_matches_what_is_not_an_id():
    users = UserIds({"Alice", "bob"})
    assert "ALICE" in users and "Bob" in users and "carol" not in users
    assert 3 not in users and None not in users


@pytest.mark.parametrize("left, right, minus, both, either", [
    (["Alice", "bob"], ["alice"], ["bob"], ["Alice"], ["Alice", "bob"]),
    (["a"], ["B"], ["a"], [], ["a", "B"]),
    ([], ["x"], [], [], ["x"]),
])
def test_set_operations_compare_users_and_keep_the_left_spelling(left, right, minus, both, either):
    a, b = UserIds(left), UserIds(right)
    assert sorted(a - b) == sorted(minus) and isinstance(a - b, UserIds)
    assert sorted(a & b) == sorted(both)
    assert sorted(a | b) == sorted(either)
    assert sorted(a - set(right)) == sorted(minus)  # a plain set on the right is read as users too
    assert a.isdisjoint(b) is (not both)


def test_two_sets_of_the_same_users_are_equal_and_hash_alike_however_spelled():
    assert UserIds(["Alice", "bob"]) == UserIds(["BOB", "alice"])
    assert hash(UserIds(["Alice", "bob"])) == hash(UserIds(["BOB", "alice"]))
    assert UserIds(["Alice"]) == {"alice"}
    assert UserIds(["Alice"]) != UserIds(["Alice", "bob"])


def test_a_user_map_answers_for_any_spelling_and_keeps_the_first():
    found: UserMap[int] = UserMap()
    found["Alice"] = 1
    found["ALICE"] = 2
    assert found["alice"] == 2 and list(found) == ["Alice"] and len(found) == 1
    assert found.get("aLiCe") == 2 and found.get("bob") is None
    assert found.setdefault("BOB", 7) == 7 and found.setdefault("bob", 8) == 7
    assert found.spelled("bob") == "BOB"
    assert found.pop("ALICE") == 2 and "alice" not in found
    assert found.pop("nobody", None) is None
    with pytest.raises(KeyError, match="nobody"):
        found.pop("nobody")
    with pytest.raises(KeyError):
        del found["nobody"]
    del found["Bob"]
    assert len(found) == 0 and found.users() == UserIds()


@pytest.mark.parametrize("wanted, live, joins, leaves", [
    ({"alice", "bob"}, {"Alice", "bob"}, set(), set()),            # letter case alone is no change
    ({"alice", "carol"}, {"ALICE", "bob"}, {"carol"}, {"bob"}),
    ({"dave"}, set(), {"dave"}, set()),
    (set(), {"Erin"}, set(), {"Erin"}),
    ({"Frank", "gina"}, {"frank", "Gina", "hal"}, set(), {"hal"}),
])
def test_a_chats_difference_ignores_letter_case_and_keeps_each_sides_spelling(wanted, live, joins, leaves):
    assert joins_and_leaves(frozenset(wanted), frozenset(live)) == (joins, leaves)


def test_the_fast_difference_agrees_with_the_folded_one_on_random_chats():
    rng = random.Random(7)
    people = [f"user{i}" for i in range(40)]

    def spelled(user: str) -> str:
        return "".join(c.upper() if rng.random() < 0.3 else c for c in user)

    for _ in range(300):
        wanted = frozenset(spelled(u) for u in rng.sample(people, rng.randint(0, 20)))
        live = frozenset(spelled(u) for u in rng.sample(people, rng.randint(0, 20)))
        joins, leaves = joins_and_leaves(wanted, live)
        assert UserIds(joins) == UserIds(wanted) - UserIds(live) and joins <= wanted
        assert UserIds(leaves) == UserIds(live) - UserIds(wanted) and leaves <= live


@pytest.mark.parametrize("users, unlike, distinct", [
    (["alice", "bob"], (), True),
    (["alice", "Alice"], (), False),
    (["alice", "YES"], UserIds(["yes"]), False),
    (["alice", "yes"], ["Yes"], False),
    ([], (), True),
])
def test_distinct_users_names_each_user_once_and_none_unlike(users, unlike, distinct):
    assert distinct_users(users, unlike=unlike) is distinct


def test_a_typo_finds_the_closest_user_as_spelled():
    known = UserIds(["Zhang.San", "li.si"])
    assert closest_user("zhang.sam", known) == "Zhang.San"
    assert closest_user("nobody-like-them", known) is None


def test_written_folded_and_the_regex_prefilter():
    assert written_folded("alice, bob") and not written_folded("Alice, bob")
    assert re.fullmatch(id_regex("Zhang.San@corp"), "zhang.san@CORP")
    assert not re.fullmatch(id_regex("a.b"), "axb")


def test_pick_keeps_the_items_of_users_among_these_however_spelled():
    users = UserIds(["Alice", "bob"])
    assert users.pick({"alice": 1, "BOB": 2, "carol": 3}) == {"alice": 1, "BOB": 2}
    assert UserIds().pick({"alice": 1}) == {}


def test_a_user_map_of_a_plain_mapping_answers_for_any_spelling():
    found = UserMap.of({"Alice": 1, "bob": 2})
    assert found["ALICE"] == 1 and found.get("Bob") == 2 and list(found) == ["Alice", "bob"]
    twice = UserMap.of({"Alice": 1, "alice": 2})  # the first spelling, the last value
    assert list(twice) == ["Alice"] and twice["alice"] == 2


def test_an_empty_side_changes_nothing_and_is_not_copied():
    users = UserIds(["Alice"])
    assert users - UserIds() is users and users | [] is users
    assert list(UserIds() | ["Bob"]) == ["Bob"]
