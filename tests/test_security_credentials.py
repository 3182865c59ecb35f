"""Credentials (MTProto api_hash and session, SMTP password, Telegram bot token) come only from the
environment or Prefect Secret blocks, and appear nowhere shenava writes.

The connector's and the delivery's own tests check their error messages and
logs (tests/test_connectors_telethon.py, tests/test_digest_deliver.py). Here
one whole day runs with every secret set and every party failing in the most
revealing way (libraries and servers that echo the secret back); afterwards
the logs, the console, the store, the digest files, the
artifact payloads and every error are searched for each secret.
"""
from __future__ import annotations

import json
import logging
import sys
from http.server import BaseHTTPRequestHandler

import pytest

from shenava.analyze import analyze
from shenava.cli import main
from shenava.config import load_config, parse_config
from shenava.errors import ConfigError
from shenava.storage import Store
from test_reliability_kit import FakeClassifier, config_head, file_source, write_config, write_reviews

API_HASH = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SESSION = "1BVtsOLwBu5-MTProto-session-Zq8xKp3"
SMTP_PASSWORD = "smtp-P4ss-!-2281"
BOT_TOKEN = "7701234567:AAHq_bot-token-secret-part"
SECRETS = {"api_hash": API_HASH, "session": SESSION, "smtp password": SMTP_PASSWORD, "bot token": BOT_TOKEN,
           "bot token secret part": BOT_TOKEN.split(":")[1]}


def assert_no_secret(where: str, blob: str | bytes) -> None:
    for what, secret in SECRETS.items():
        needle = secret.encode() if isinstance(blob, bytes) else secret
        assert needle not in blob, f"the {what} leaked into {where}"


class _Echo(BaseHTTPRequestHandler):
    """A Bot API that refuses every call and, as some proxies do, quotes the URL it was called at."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.calls.append(self.path)  # type: ignore[attr-defined]
        body = json.dumps({"ok": False, "error_code": 401,
                           "description": f"Unauthorized: {self.path} was revoked"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # the fake's own access log would print the token
        pass


@pytest.fixture
def secrets(monkeypatch, caplog):
    from test_connectors_telethon import install_fake_telethon

    telethon = install_fake_telethon(monkeypatch)
    monkeypatch.setenv("TELEGRAM_API_HASH", API_HASH)
    monkeypatch.setenv("TELEGRAM_SESSION", SESSION)
    monkeypatch.setenv("SHENAVA_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("SHENAVA_TELEGRAM_TOKEN", BOT_TOKEN)
    caplog.set_level(logging.DEBUG)  # every logger, every level: httpx, urllib, prefect included
    return telethon


def test_a_whole_day_with_every_secret_set_leaks_none(tmp_path, secrets, caplog, capsys, monkeypatch):
    write_reviews(tmp_path / "reviews.csv", 30)
    mtproto = '[[sources]]\nname = "mt"\nkind = "telethon"\nchannel = "shop_support"\nbrand = "تازه‌رس"\n'
    config_path = write_config(tmp_path, file_source(), mtproto, head=config_head() + '\n[digest]\ndir = "reports"\n')
    errors: list[str] = []

    # 1. The MTProto library fails and its error message carries the credentials.
    telethon = sys.modules["telethon"]

    async def revealing_connect(self):
        raise ConnectionError(f"handshake failed for api_hash={self.api_hash} session={self.session.string}")

    monkeypatch.setattr(telethon.TelegramClient, "connect", revealing_connect)
    assert main(["-v", "--config", str(config_path), "collect"]) == 1
    monkeypatch.undo()  # environment and stand-in back as the fixture set them
    from test_connectors_telethon import install_fake_telethon

    state = install_fake_telethon(monkeypatch)
    for name, value in (("TELEGRAM_API_HASH", API_HASH), ("TELEGRAM_SESSION", SESSION),
                        ("SHENAVA_SMTP_PASSWORD", SMTP_PASSWORD), ("SHENAVA_TELEGRAM_TOKEN", BOT_TOKEN)):
        monkeypatch.setenv(name, value)
    # 2. Then it works, with a FloodWait slept out on the way (logged).
    state.flood = (2, 0)
    assert main(["-v", "--config", str(config_path), "collect"]) == 0

    # 3. Analyze and write the digest; build the Prefect artifact payloads.
    config = load_config(config_path)
    with Store.open(config.store_path) as store:
        analyze(config, store, classifier=FakeClassifier())
        from shenava.digest import write_digest
        from shenava.digest.publish import figures_table
        from shenava.digest.render_md import render_markdown

        files = write_digest(store, config, "تازه‌رس", "week", "2026-11-08")
    artifacts = render_markdown(files.digest) + json.dumps(figures_table(files.digest), ensure_ascii=False)

    # 4. Deliver it: an SMTP server refusing the login, a Bot API that echoes the token it was called with.
    from shenava.digest.deliver import DeliveryError, TelegramSettings, send_email, send_telegram
    from test_digest_deliver import FakeBotAPI, FakeSMTP, email_settings

    smtp = FakeSMTP("shenava", "another-password")
    try:
        with pytest.raises(DeliveryError) as err:
            send_email(files, email_settings(smtp.port))
        errors.append(str(err.value))
        assert ("shenava", SMTP_PASSWORD) in smtp.logins  # the secret did reach the one place it belongs
    finally:
        smtp.shutdown()
        smtp.server_close()
    bot = FakeBotAPI(BOT_TOKEN)
    bot.RequestHandlerClass = _Echo
    try:
        with pytest.raises(DeliveryError) as err:
            send_telegram(files, TelegramSettings(chat_id="-100", api_base=bot.url))
        errors.append(str(err.value))
        assert bot.calls == [f"/bot{BOT_TOKEN}/sendMessage"] and "answered 401" in errors[-1]
    finally:
        bot.shutdown()
        bot.server_close()

    # 5. Search everything.
    out, err_text = capsys.readouterr()
    assert "mt: 4 new" in out and "cannot reach Telegram (ConnectionError)" in out
    for where, blob in [("the logs", caplog.text), ("stdout", out), ("stderr", err_text),
                        ("the Prefect artifacts", artifacts), *(("an error message", e) for e in errors)]:
        assert_no_secret(where, blob)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".db", ".html", ".md", ".json", ".csv", ".toml"}
    for path in written:
        assert_no_secret(str(path.relative_to(tmp_path)), path.read_bytes())


@pytest.mark.parametrize("config, key", [
    ('[[sources]]\nname = "mt"\nkind = "telethon"\nchannel = "x"\napi_hash = "{secret}"\n', "sources[0].api_hash"),
    ('[[sources]]\nname = "mt"\nkind = "telethon"\nchannel = "x"\nsession = "{secret}"\n', "sources[0].session"),
    ('[digest]\nsmtp_password = "{secret}"\n', "digest.smtp_password"),
    ('[http]\nuser_agent = "x"\nproxy = "http://u:{secret}@proxy:3128"\n', "http.proxy"),
], ids=["api_hash", "session", "smtp password", "proxy with password"])
def test_a_secret_written_into_the_config_is_refused_without_being_repeated(config, key):
    with pytest.raises(ConfigError, match=rf"{key.replace('[', '.').replace(']', '.')}: Extra inputs") as err:
        parse_config(config.format(secret=API_HASH), "shenava.toml")
    assert API_HASH not in str(err.value)
