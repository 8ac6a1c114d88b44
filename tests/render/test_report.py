"""The apply report in text: an announcement that failed says why the way a
chat that failed does, with or without WeCom's errcode."""

from __future__ import annotations

from reconciler.core.report import Announcement, ApplyReport, ChatResult, Status
from reconciler.render import render_report_text


def _line(announcement: Announcement) -> str:
    report = ApplyReport((ChatResult("ops", "update", Status.APPLIED, 1, 1, announcement=announcement),))
    [line] = [ln for ln in render_report_text(report).splitlines() if "announcement" in ln]
    return line


def test_an_announcement_that_failed_without_an_errcode_gives_the_message_alone():
    line = _line(Announcement("failed", None, "unexpected RuntimeError: boom"))
    assert line == "           announcement failed  unexpected RuntimeError: boom"
    assert "None" not in line


def test_an_announcement_that_failed_with_an_errcode_reads_like_a_failed_chat():
    assert _line(Announcement("failed", 45002, "content size out of limit")) == \
        "           announcement failed  errcode 45002: content size out of limit"
    assert _line(Announcement("sent")) == "           announcement sent"
