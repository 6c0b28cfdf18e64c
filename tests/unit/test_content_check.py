"""`python bot.py content check` and start-up: problems stop the bot, due reviews only warn."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

import bot
import messages.snippets as snippets

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
DUE = "rights/remain-silent.yaml: checked: 2026-02-27 is 275 days ago"


@pytest.fixture
def seen_days(monkeypatch) -> list[date]:
    """Replace the snippet review check with one that records the day it was given."""
    days: list[date] = []

    def fake(directory=snippets.SNIPPETS_DIR, *, today: date) -> list[str]:
        days.append(today)
        return [DUE]

    monkeypatch.setattr(snippets, "snippet_warnings", fake)
    return days


def test_content_check_prints_warnings_and_still_succeeds(tmp_path, monkeypatch, capsys, seen_days):
    monkeypatch.setenv("WALKOUT_DATA_DIR", str(tmp_path))
    assert bot.main(["content", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"warning: {DUE}" in out
    assert out[-1] == "content ok (1 warning(s))"
    assert seen_days == [datetime.now(UTC).date()]  # the real day, not a fixed one


def test_content_check_fails_on_problems_and_shows_warnings_too(
    tmp_path, monkeypatch, capsys, seen_days
):
    monkeypatch.setenv("WALKOUT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(snippets, "snippet_problems", lambda directory=None: ["rights/x.yaml: id"])
    assert bot.main(["content", "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "rights/x.yaml: id" in out and f"warning: {DUE}" in out
    assert out[-1] == "1 problem(s) (1 warning(s))"


class Started(Exception):
    """Raised where start-up goes on past the content checks."""


async def test_start_up_logs_due_reviews_and_goes_on(tmp_path, monkeypatch, caplog, seen_days):
    def started(settings: bot.Settings) -> bot.Settings:
        raise Started

    monkeypatch.setattr(bot, "with_secret", started)
    data_dir = tmp_path / "data"
    settings = bot.load_settings({"WALKOUT_DATA_DIR": str(data_dir), "DISCORD_TOKEN": TOKEN})
    with caplog.at_level(logging.WARNING, logger="walkout"), pytest.raises(Started):
        await bot.run_bot(settings)
    (record,) = [r for r in caplog.records if DUE in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"content: {DUE}"
    assert seen_days == [datetime.now(UTC).date()]
