"""E-mail and Telegram delivery against local fakes on 127.0.0.1; secrets never logged."""
from __future__ import annotations

import base64
import json
import logging
import socket
import socketserver
import sys
import threading
from email import message_from_bytes
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
import handmade  # noqa: E402

from shenava.digest import write_digest  # noqa: E402
from shenava.digest.deliver import (DeliveryError, EmailSettings, TelegramSettings, send_email,  # noqa: E402
                                    send_telegram, telegram_summary)

PASSWORD, TOKEN = "s3cret-Pass-7731", "123456:AAFakeTokenForTests_xyz"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    config, store, _ = handmade.build(tmp_path_factory.mktemp("deliver"))
    with store:
        return write_digest(store, config, handmade.BRAND, "day", "2026-11-20")


# -- a tiny SMTP server: enough of RFC 5321 for smtplib, with AUTH PLAIN/LOGIN --------------------
class FakeSMTP(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, user: str, password: str, refuse: tuple[str, ...] = ()):
        self.user, self.password, self.refuse = user, password, refuse
        self.messages: list[dict] = []
        self.logins: list[tuple[str, str]] = []
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def read(self) -> str:
        return self.rfile.readline().decode().rstrip("\r\n")

    def handle(self) -> None:
        srv: FakeSMTP = self.server  # type: ignore[assignment]
        self.reply("220 fake.local ESMTP")
        mail: dict = {"rcpt": []}
        while True:
            line = self.read()
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-fake.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
            elif verb == "AUTH":
                parts = line.split()
                if parts[1].upper() == "PLAIN":
                    blob = parts[2] if len(parts) > 2 else (self.reply("334 ") or self.read())
                    _, user, password = base64.b64decode(blob).decode().split("\0")
                else:
                    self.reply("334 VXNlcm5hbWU6")
                    user = base64.b64decode(self.read()).decode()
                    self.reply("334 UGFzc3dvcmQ6")
                    password = base64.b64decode(self.read()).decode()
                srv.logins.append((user, password))
                ok = (user, password) == (srv.user, srv.password)
                self.reply("235 2.7.0 ok" if ok else "535 5.7.8 authentication failed")
            elif verb == "MAIL":
                mail = {"from": line[10:].strip("<>"), "rcpt": []}
                self.reply("250 ok")
            elif verb == "RCPT":
                to = line[8:].strip("<>")
                if to in srv.refuse:
                    self.reply("550 no such user")
                else:
                    mail["rcpt"].append(to)
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                mail["data"] = bytes(data)
                srv.messages.append(mail)
                self.reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "QUIT" or not line:
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


def email_settings(port: int, **kw) -> EmailSettings:
    return EmailSettings(host="127.0.0.1", port=port, security="none", sender="shenava@example.org",
                         recipients=kw.pop("recipients", ["marketing@example.org"]), username="shenava", **kw)


@pytest.fixture
def secrets(monkeypatch, caplog):
    monkeypatch.setenv("SHENAVA_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SHENAVA_TELEGRAM_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    return caplog


def assert_no_secret(caplog, capsys, *texts: str) -> None:
    out, err = capsys.readouterr()
    for blob in (caplog.text, out, err, *texts):
        assert PASSWORD not in blob and TOKEN not in blob and TOKEN.split(":")[1] not in blob


def test_email_carries_markdown_html_and_attachment(files, secrets, capsys):
    server = FakeSMTP("shenava", PASSWORD)
    try:
        send_email(files, email_settings(server.port))
    finally:
        server.shutdown()
        server.server_close()
    assert server.logins == [("shenava", PASSWORD)]
    [mail] = server.messages
    assert mail["from"] == "shenava@example.org" and mail["rcpt"] == ["marketing@example.org"]
    msg = message_from_bytes(mail["data"], policy=email_policy)
    assert msg["Subject"] == "گزارش روزانه شنوا — تازه‌رس — ۱۴۰۵/۰۸/۲۹ (2026-11-20)"
    def content(part) -> str:  # SMTP carries CRLF line ends
        return part.get_content().replace("\r\n", "\n")

    assert content(msg.get_body(("plain",))) == files.markdown.read_text(encoding="utf-8")
    assert content(msg.get_body(("html",))) == files.html.read_text(encoding="utf-8")
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == files.html.name
    assert "digest tazh-rs-day-2026-11-20 e-mailed to 1 recipient(s) via 127.0.0.1" in secrets.text
    assert_no_secret(secrets, capsys)


@pytest.mark.parametrize("password, recipients, message", [
    ("wrong-password", ["marketing@example.org"], "refused the login of 'shenava': 535"),
    (PASSWORD, ["marketing@example.org", "gone@example.org"], "refused recipient\\(s\\): gone@example.org"),
])
def test_email_refusals_are_named(files, secrets, capsys, password, recipients, message):
    server = FakeSMTP("shenava", password, refuse=("gone@example.org",))
    try:
        with pytest.raises(DeliveryError, match=message) as err:
            send_email(files, email_settings(server.port, recipients=recipients))
    finally:
        server.shutdown()
        server.server_close()
    assert_no_secret(secrets, capsys, str(err.value))


def test_email_without_password_or_server(files, monkeypatch, secrets, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DeliveryError, match="cannot reach the SMTP server 127.0.0.1"):
        send_email(files, email_settings(port))
    monkeypatch.delenv("SHENAVA_SMTP_PASSWORD")
    with pytest.raises(DeliveryError, match="environment variable SHENAVA_SMTP_PASSWORD"):
        send_email(files, email_settings(port))
    assert_no_secret(secrets, capsys)


# -- a fake Telegram Bot API -----------------------------------------------------------------------
class FakeBotAPI(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, token: str):
        self.token, self.calls = token, []
        super().__init__(("127.0.0.1", 0), _BotHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _BotHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the fake's own access log would print the token
        pass

    def do_POST(self) -> None:
        srv: FakeBotAPI = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        prefix = f"/bot{srv.token}/"
        if not self.path.startswith(prefix):
            return self.answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = self.path[len(prefix):]
        if self.headers["Content-Type"].startswith("multipart/form-data"):
            parsed = BytesParser(policy=email_policy).parsebytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
            payload = {p.get_param("name", header="content-disposition"): (p.get_filename(), p.get_content())
                       for p in parsed.iter_parts()}
        else:
            payload = json.loads(body)
        srv.calls.append((method, payload))
        self.answer(200, {"ok": True, "result": {"message_id": len(srv.calls)}})

    def answer(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def test_telegram_sends_summary_and_the_html_file(files, secrets, capsys):
    api = FakeBotAPI(TOKEN)
    try:
        send_telegram(files, TelegramSettings(chat_id="-100123", api_base=api.url))
    finally:
        api.shutdown()
        api.server_close()
    (m1, message), (m2, document) = api.calls
    assert (m1, m2) == ("sendMessage", "sendDocument")
    assert message["chat_id"] == "-100123" and message["parse_mode"] == "HTML"
    text = message["text"]
    assert "تازه‌رس" in text and "حجم گفت‌وگو: <b>۱۴</b>" in text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text and "<script" not in text
    assert set(__import__("re").findall(r"</?([a-z]+)", text)) <= {"b", "a"}  # tags Telegram accepts
    name, content = document["document"]
    assert name == files.html.name and content == files.html.read_text(encoding="utf-8")
    assert document["chat_id"][1] == "-100123"
    assert_no_secret(secrets, capsys)


def test_telegram_wrong_token_or_no_api(files, monkeypatch, secrets, capsys):
    api = FakeBotAPI("999:other")
    try:
        with pytest.raises(DeliveryError, match="sendMessage at http://127.0.0.1:\\d+ answered 401: Unauthorized") as err:
            send_telegram(files, TelegramSettings(chat_id="1", api_base=api.url))
    finally:
        api.shutdown()
        api.server_close()
    with pytest.raises(DeliveryError, match="cannot reach the Telegram Bot API") as err2:
        send_telegram(files, TelegramSettings(chat_id="1", api_base=api.url, timeout=2))
    monkeypatch.delenv("SHENAVA_TELEGRAM_TOKEN")
    with pytest.raises(DeliveryError, match="SHENAVA_TELEGRAM_TOKEN"):
        send_telegram(files, TelegramSettings(chat_id="1", api_base=api.url))
    assert_no_secret(secrets, capsys, str(err.value), str(err2.value))


def test_telegram_summary_fits_one_message(files):
    assert len(telegram_summary(files.digest)) <= 4096


def test_settings_from_env():
    env = {"SHENAVA_SMTP_HOST": "mail.local", "SHENAVA_SMTP_FROM": "a@x.ir", "SHENAVA_SMTP_TO": "b@x.ir, c@x.ir",
           "SHENAVA_SMTP_USER": "a", "SHENAVA_TELEGRAM_CHAT": "@team"}
    email = EmailSettings.from_env(env)
    assert (email.host, email.port, email.recipients, email.username) == ("mail.local", 587, ["b@x.ir", "c@x.ir"], "a")
    assert TelegramSettings.from_env(env).chat_id == "@team"
    assert EmailSettings.from_env({}) is None and TelegramSettings.from_env({}) is None


def test_configured_telegram_delivery_runs_from_the_digest_command(tmp_path, secrets, capsys, monkeypatch):
    """[digest.telegram] in the config: `shenava digest` writes the files, then sends them; --no-send does not."""
    from shenava.cli import main

    monkeypatch.delenv("SHENAVA_SMTP_HOST", raising=False)
    config, store, _ = handmade.build(tmp_path)
    store.close()
    api = FakeBotAPI(TOKEN)
    try:
        path = tmp_path / "shenava.toml"
        path.write_text(handmade.CONFIG + f'\n[digest.telegram]\nchat_id = "-100777"\napi_base = "{api.url}"\n',
                        encoding="utf-8")
        args = ["--config", str(path), "digest", "--brand", handmade.BRAND, "--date", "2026-11-20"]
        assert main(args) == 0
        assert [m for m, _ in api.calls] == ["sendMessage", "sendDocument"]
        assert "sent by telegram" in capsys.readouterr().out
        assert main(args + ["--no-send"]) == 0
        assert len(api.calls) == 2
    finally:
        api.shutdown()
        api.server_close()
    assert_no_secret(secrets, capsys)


def test_a_password_or_token_written_into_the_config_is_refused_without_repeating_it():
    from shenava.config import parse_config
    from shenava.errors import ConfigError

    for section in (f'[digest.email]\nhost = "h"\nsender = "a@b.c"\nrecipients = ["x@y.z"]\npassword = "{PASSWORD}"\n',
                    f'[digest.telegram]\nchat_id = "1"\ntoken = "{TOKEN}"\n'):
        with pytest.raises(ConfigError) as err:
            parse_config(section)
        assert ("digest.email.password" in str(err.value) or "digest.telegram.token" in str(err.value))
        assert PASSWORD not in str(err.value) and TOKEN not in str(err.value)


@pytest.mark.parametrize("base", ["file:///etc/passwd", f"https://api.telegram.org/bot{TOKEN}", "api.telegram.org"])
def test_telegram_api_base_must_be_a_bare_http_address(base):
    from shenava.config import parse_config
    from shenava.errors import ConfigError

    with pytest.raises(ConfigError, match="digest.telegram.api_base: .*http") as err:
        parse_config(f'[digest.telegram]\nchat_id = "1"\napi_base = "{base}"\n')
    assert TOKEN not in str(err.value)
