"""core.wecomapi.WeComApi is what the program asks of WeCom: the real
client has every member of it with the same signature, and app/ (with the
directory readers) asks a client for nothing the protocol does not name,
never probing it with getattr."""

from __future__ import annotations

import ast
import inspect

from reconciler.core.wecomapi import WeComApi
from reconciler.wecom.client import WeComClient
from reconciler.wecom.credentials import Credentials
from tests.helpers import REPO

MEMBERS = {"credentials", "stats", "concurrency_figures", "get_chat", "read_chats", "read_all", "get", "call",
           "send", "upload_media", "close"}


def _members(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


def _client() -> WeComClient:
    # Built, never used: no request is made.
    return WeComClient(Credentials("corp", "not-a-secret", "http://127.0.0.1:9/cgi-bin/"))


def test_the_protocol_is_the_listed_members():
    assert _members(WeComApi) == MEMBERS


def test_the_real_client_is_a_wecomapi():
    client = _client()
    try:
        assert isinstance(client, WeComApi)
    finally:
        client.close()


def test_the_real_client_has_each_method_with_the_protocols_signature():
    differ = []
    client = _client()
    client.close()
    for name in sorted(MEMBERS):
        wanted, have = inspect.getattr_static(WeComApi, name), inspect.getattr_static(WeComClient, name, None)
        if isinstance(wanted, property):  # an attribute or a property of the client
            if not hasattr(client, name):
                differ.append(f"{name}: not an attribute of the client")
            continue
        if have is None or [(p.name, p.kind, p.default) for p in inspect.signature(wanted).parameters.values()] != \
                [(p.name, p.kind, p.default) for p in inspect.signature(have).parameters.values()]:
            differ.append(f"{name}: {inspect.signature(wanted)} vs {have and inspect.signature(have)}")
    assert not differ, differ


def test_an_object_without_the_methods_is_not_a_wecomapi():
    class Reader:
        def read_chats(self, chat_ids, progress=None):
            return {}

    assert not isinstance(Reader(), WeComApi)


def _asked_of_clients() -> dict[str, set[str]]:
    """Per module: the attributes read off a parameter annotated WeComApi,
    and `getattr(client, ...)` probes (as "getattr")."""
    asked: dict[str, set[str]] = {}
    paths = sorted((REPO / "reconciler" / "app").glob("*.py")) + [REPO / "reconciler" / "wecom" / "directoryreads.py"]
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            typed = {a.arg for a in fn.args.args + fn.args.kwonlyargs
                     if isinstance(a.annotation, ast.Name) and a.annotation.id == "WeComApi"}
            for node in ast.walk(fn):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in typed:
                    found.add(node.attr)
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr" and node.args \
                        and getattr(node.args[0], "id", None) in {"client", "reader"}:
                    found.add("getattr")
        asked[path.name] = found
    return asked


def test_app_asks_a_client_only_for_what_the_protocol_names():
    asked = _asked_of_clients()
    everything = set().union(*asked.values())
    assert {"read_chats", "get_chat", "call", "send", "upload_media", "concurrency_figures"} <= everything
    beyond = {module: sorted(names - MEMBERS) for module, names in asked.items() if names - MEMBERS}
    assert not beyond, beyond
