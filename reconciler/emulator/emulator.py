"""Emulator: start and stop the server in a background thread, and the Python
API tests use to look inside (call log, faults, chats)."""

from __future__ import annotations

import threading
from dataclasses import replace

from .api import Api
from .config import EmulatorConfig
from .org import directory_view
from .server import EmulatorHTTPServer


class Emulator:
    def __init__(self, config: EmulatorConfig | None = None, **overrides):
        config = config or EmulatorConfig()
        self.config = replace(config, **overrides) if overrides else config
        self._api = Api(self.config)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> "Emulator":
        if self._server is not None:
            return self
        self._server = EmulatorHTTPServer((self.config.host, self.config.port), self._api)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="wecom-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_all()
        if self._thread:
            self._thread.join(timeout=5)
        self._api.close()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- where it is ------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._require().server_address[0]

    @property
    def port(self) -> int:
        return self._require().server_address[1]

    @property
    def root_url(self) -> str:
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def base_url(self) -> str:
        return self.root_url + "cgi-bin/"

    @property
    def admin_url(self) -> str:
        return self.root_url + "_emulator/"

    def _require(self) -> EmulatorHTTPServer:
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return self._server

    # -- looking inside -------------------------------------------------------

    def calls(self) -> list[dict]:
        """Every API call so far: method, path, query (secrets masked), body, errcode, status, fault, ts."""
        return self._api.calls()

    def call_counts(self) -> dict[str, int]:
        return self._api.counts()

    def clear_calls(self) -> None:
        self._api.clear_calls()

    def set_faults(self, **settings) -> dict:
        """Merge fault settings (names of faults.FaultSettings); actions
        clear=True, invalidate_tokens=True, expire_tokens=True. Returns the settings."""
        return self._api.set_faults(**settings)

    def set_limits(self, **limits) -> dict:
        """calls_per_minute, calls_per_hour, calls_per_minute_per_ip,
        calls_per_hour_per_ip, changes_per_hour, creates_per_day,
        messages_per_minute, messages_per_day, person_times_per_minute, token_ttl."""
        return self._api.set_limits(**limits)

    def reset(self, seed=None) -> None:
        """Chats back to the seed; call log, messages, quota counters,
        faults and the load figures back to the start."""
        self._api.reset(seed)
        self._api.load.reset(self.in_flight())

    def chat(self, chat_id: str) -> dict | None:
        """{"chatid","name","owner","userlist","foreign"} as stored, or None."""
        return self._api.chat(chat_id)

    def chat_ids(self) -> list[str]:
        return self._api.chat_ids()

    def directory(self) -> dict:
        """The seeded directory as GET /_emulator/directory shows it: departments,
        users, tags, visible (department ids), closed (False: any well-formed id
        may join a chat)."""
        with self._api.lock:
            return directory_view(self._api.store.org, self._api.store.directory() is not None)

    def edit_chat(self, chat_id: str, **edits) -> dict | None:
        """Change a chat as a person in the WeCom client would: add=[ids],
        remove=[ids], name="...", owner="id" (drift for a test or a demo).
        The chat afterwards; None when unknown; ValueError when refused."""
        return self._api.edit_chat(chat_id, edits)

    def issued_tokens(self) -> list[str]:
        """The access tokens gettoken handed out that the emulator still
        remembers (invalidate_tokens forgets them): for leak checks."""
        with self._api.lock:
            return self._api.tokens.known()

    def in_flight(self) -> int:
        """API requests being handled right now."""
        with self._api.lock:
            return self._api.in_flight

    def load(self) -> dict:
        """{"in_flight", "peak_in_flight", "peak_serving"}: API requests in
        the emulator now, the most at once since the start (or the last
        reset), and the most worked on at once (see `capacity`)."""
        return self._api.load.figures(self.in_flight())

    def add_hook(self, hook) -> None:
        """Call hook(event, method, path) in the request's thread for every
        API request: event "request" before it is handled, "reply" once it is
        answered. For tests that act at a given moment of a run (revoke the
        tokens at the 7th call, watch every token issued)."""
        self._api.hooks.append(hook)

    def messages(self, chat_id: str | None = None) -> list[dict]:
        """Messages appchat/send accepted: {"chatid","msgtype",<msgtype>: payload,"safe","ts",
        "undelivered": members past their per-minute or per-day limit}, the secret and tokens masked."""
        return self._api.sent(chat_id)

    def media(self) -> list[dict]:
        """Files media/upload accepted and not yet expired: {"media_id","type","filename",
        "size","sha256","created_at"}."""
        with self._api.lock:
            return self._api.outbox.media()
