"""Optional delivery of a written digest by e-mail (SMTP) and by Telegram bot message.

Settings hold only where to send; the password and the bot token are read at
send time from an environment variable or a Prefect Secret block, and are never
logged or put in an error message. The Bot API is called with urllib (not
httpx, whose INFO log line carries the URL and so the token).
"""
from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import urllib.error
import urllib.request
import uuid
from datetime import date
from email.message import EmailMessage
from html import escape
from typing import TYPE_CHECKING, Any

from shenava.config import DigestSettings, EmailSettings, TelegramSettings
from shenava.digest import fa
from shenava.digest.model import Digest
from shenava.digest.narrative import change_text, value_text
from shenava.errors import ShenavaError

if TYPE_CHECKING:
    from shenava.digest.write import DigestFiles

log = logging.getLogger("shenava.digest")
TELEGRAM_LIMIT = 4096


class DeliveryError(ShenavaError):
    """A digest could not be sent (bad settings, missing secret, server refused)."""


def _secret(env_name: str, block: str | None, what: str) -> str:
    if block:
        try:
            from prefect.blocks.system import Secret

            value = Secret.load(block).get()
        except Exception as exc:  # Prefect raises several kinds; the name is what the user needs
            raise DeliveryError(f"cannot load the Prefect Secret block {block!r} for the {what}: "
                                f"{type(exc).__name__}") from None
    else:
        value = os.environ.get(env_name, "")
    if not value:
        where = f"Prefect Secret block {block!r}" if block else f"environment variable {env_name}"
        raise DeliveryError(f"the {what} is not set: put it in the {where}")
    return str(value)


def subject(digest: Digest) -> str:
    return (f"گزارش {fa.PERIOD[digest.period]} شنوا — {digest.brand} — "
            f"{fa.jalali(date.fromisoformat(digest.date), with_gregorian=False)} ({digest.date})")


def send_email(files: "DigestFiles", settings: EmailSettings) -> None:
    """Send the Markdown as text, the HTML as the rich part and as an attached file."""
    password = _secret(settings.password_env, settings.password_block, "SMTP password") \
        if settings.username else None
    msg = EmailMessage()
    msg["Subject"] = subject(files.digest)
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg.set_content(files.markdown.read_text(encoding="utf-8"))
    html = files.html.read_text(encoding="utf-8")
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(html.encode("utf-8"), maintype="text", subtype="html", filename=files.html.name)
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, password or "")
            refused = client.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP server {where} refused the login of {settings.username!r}: "
                            f"{exc.smtp_code}") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP server {where} did not take the digest: {type(exc).__name__}: "
                            f"{_no_secret(str(exc), password)}") from None
    except OSError as exc:
        raise DeliveryError(f"cannot reach the SMTP server {where}: {exc.strerror or exc}") from None
    if refused:
        raise DeliveryError(f"SMTP server {where} refused recipient(s): {', '.join(sorted(refused))}")
    log.info("digest %s e-mailed to %d recipient(s) via %s", files.digest.file_stem, len(settings.recipients), where)


def telegram_summary(digest: Digest) -> str:
    """A short message in Telegram's HTML mode: headline, what changed, top complaints."""
    lines = [f"<b>{escape(subject(digest))}</b>", ""]
    for f in digest.headline:
        lines.append(f"• {escape(f.label)}: <b>{escape(value_text(f))}</b> ({escape(change_text(f))})")
    if digest.changes:
        lines += ["", *[f"— {escape(s)}" for s in digest.changes[:6]]]
    complaints = [c for c in digest.complaints if c.count][:3]
    if complaints:
        lines += ["", "<b>شکایت‌های اصلی</b>"]
        for c in complaints:
            lines.append(f"• {escape(c.label)}: {escape(fa.number(c.count))}")
            if c.quotes:
                q = c.quotes[0]
                text = escape(q.text[:200])
                link = f' <a href="{escape(q.permalink, quote=True)}">پیوند</a>' if q.permalink else ""
                lines.append(f"  «{text}»{link}")
    text = "\n".join(lines)
    return text if len(text) <= TELEGRAM_LIMIT else text[:TELEGRAM_LIMIT - 1].rsplit("\n", 1)[0] + "\n…"


def send_telegram(files: "DigestFiles", settings: TelegramSettings) -> None:
    token = _secret(settings.token_env, settings.token_block, "Telegram bot token")
    base = settings.api_base.rstrip("/")
    _bot_call(base, token, "sendMessage", settings.timeout,
              json.dumps({"chat_id": settings.chat_id, "text": telegram_summary(files.digest), "parse_mode": "HTML",
                          "disable_web_page_preview": True}, ensure_ascii=False).encode("utf-8"),
              "application/json")
    if settings.send_document:
        body, ctype = _multipart({"chat_id": settings.chat_id, "caption": subject(files.digest)[:1024]},
                                 "document", files.html.name, files.html.read_bytes(), "text/html; charset=utf-8")
        _bot_call(base, token, "sendDocument", settings.timeout, body, ctype)
    log.info("digest %s sent to Telegram chat %s via %s", files.digest.file_stem, settings.chat_id, base)


def _bot_call(base: str, token: str, method: str, timeout: float, body: bytes, ctype: str) -> dict[str, Any]:
    req = urllib.request.Request(f"{base}/bot{token}/{method}", data=body, method="POST",
                                 headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            reply = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            reply = json.loads(exc.read() or b"{}")
        except ValueError:
            reply = {}
        desc = _no_secret(str(reply.get("description") or exc.reason), token)
        raise DeliveryError(f"Telegram Bot API {method} at {base} answered {exc.code}: {desc}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"cannot reach the Telegram Bot API at {base} ({method}): "
                            f"{_no_secret(str(reason), token)}") from None
    except ValueError:
        raise DeliveryError(f"Telegram Bot API {method} at {base} did not answer JSON") from None
    if not reply.get("ok", False):
        raise DeliveryError(f"Telegram Bot API {method} at {base} said not ok: "
                            f"{_no_secret(str(reply.get('description')), token)}")
    return reply


def _multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes,
               ctype: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _no_secret(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def deliver(files: "DigestFiles", settings: DigestSettings) -> list[str]:
    """Send a written digest wherever the config (or, failing that, the environment) says; the channels used."""
    sent = []
    email = settings.email or EmailSettings.from_env()
    if email:
        send_email(files, email)
        sent.append("email")
    telegram = settings.telegram or TelegramSettings.from_env()
    if telegram:
        send_telegram(files, telegram)
        sent.append("telegram")
    return sent
