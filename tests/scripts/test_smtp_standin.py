"""The SMTP stand-in keeps what it accepts and lists it; `make run` starts it
only when no SMTP server is configured."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from gigsta.integrations.smtp import SmtpConfig, SmtpMailer, build_message, message_id
from scripts.devstack import start_mail_standin
from scripts.processes import stop_process
from tests.conftest import run_cli
from tests.fixtures_smtp import text


async def test_a_sent_message_is_kept_and_listed(mailbox, project_root):
    mailer = SmtpMailer(
        SmtpConfig("127.0.0.1", mailbox.port, "GigSta <b@gigsta.nz>", security="none")
    )
    msg_id = message_id("65f0c0ffee", "user:1", mailer.config.sender_domain)
    assert msg_id == message_id("65f0c0ffee", "user:1", "gigsta.nz")
    assert msg_id != message_id("65f0c0ffee", "user:2", "gigsta.nz")
    await mailer.send(
        build_message(
            sender=mailer.config.sender,
            to="Aroha <aroha@example.nz>",
            subject="Kia ora",
            body="Your booking is confirmed.\n",
            msg_id=msg_id,
            date=datetime(2026, 11, 2, 9, tzinfo=UTC),
        )
    )

    (kept,) = mailbox.messages()
    assert kept["Message-ID"] == msg_id
    assert text(kept) == "Your booking is confirmed.\n"
    store = ["--store", str(mailbox.store)]
    listed = run_cli(
        [sys.executable, "-m", "scripts.standins.smtp", "list", *store],
        {},
        cwd=project_root,
    )
    assert listed.returncode == 0, listed.stderr
    assert "aroha@example.nz" in listed.stdout and "Kia ora" in listed.stdout
    shown = run_cli(
        [sys.executable, "-m", "scripts.standins.smtp", "show", "1", *store],
        {},
        cwd=project_root,
    )
    assert msg_id in shown.stdout


def test_make_run_starts_it_only_without_an_smtp_server(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "smtp.postmarkapp.com")
    assert start_mail_standin(tmp_path) == []

    monkeypatch.delenv("SMTP_HOST")
    monkeypatch.delenv("SMTP_PORT", raising=False)
    monkeypatch.delenv("SMTP_SECURITY", raising=False)
    (proc,) = start_mail_standin(tmp_path)
    try:
        assert os.environ["SMTP_HOST"] == "127.0.0.1"
        assert os.environ["SMTP_SECURITY"] == "none"
        assert int(os.environ["SMTP_PORT"]) > 0
    finally:
        stop_process(proc)
