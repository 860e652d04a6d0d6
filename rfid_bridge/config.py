"""Options of ``run``: command line, then environment (``RFID_BRIDGE_*``), then config file, then defaults.

The config file is TOML::

    [bridge]
    device = "gate-1"
    port = "/dev/ttyUSB0"
    profile = "allflex"
    broker = "redis://rfid-gate-1:PASSWORD@10.0.0.5:6379/0"
    secret_file = "/etc/rfid-bridge/gate-1.secret"

    [profiles.gate-scanner]            # a site's own reader format
    pattern = 'ID:(?P<cc>\\d{3})-(?P<nid>\\d{12});'
    fields = { country = "cc", national_id = "nid" }

Secrets never come from the command line (``ps`` shows it to every user): the HMAC secret is read
from ``secret_file`` or ``RFID_BRIDGE_SECRET``.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import profiles
from .protocol import DEVICE_RE, MAX_READS

ENV_PREFIX = "RFID_BRIDGE_"
SECRET_ENV = "RFID_BRIDGE_SECRET"


class ConfigError(ValueError):
    """A setting that cannot work; the message says which and what to do."""


@dataclass(frozen=True)
class Option:
    name: str
    kind: type
    default: object = None
    help: str = ""


OPTIONS = {
    o.name: o
    for o in (
        Option("device", str, None, "this reader's device id, as registered on the server (e.g. gate-1)"),
        Option("port", str, None, "serial port or URL: /dev/ttyUSB0, socket://host:port, loop://"),
        Option("baudrate", int, 9600, "serial speed (default 9600)"),
        Option("bytesize", int, 8, "data bits (default 8)"),
        Option("parity", str, "N", "parity N, E, O, M or S (default N)"),
        Option("stopbits", float, 1, "stop bits 1, 1.5 or 2 (default 1)"),
        Option(
            "profile", str, None, "reader profile (see `profiles`; default auto, or custom with --pattern)"
        ),
        Option("broker", str, None, "Celery broker URL (production), e.g. redis://user:pass@host:6379/0"),
        Option(
            "server", str, None, "server base URL for the HTTP API (embedded mode), e.g. http://host:8000"
        ),
        Option("queue", str, "rfid", "Celery queue (default rfid)"),
        Option(
            "secret_file", str, None, "file holding this device's HMAC secret (or env RFID_BRIDGE_SECRET)"
        ),
        Option("spool", str, None, "spool file (default ./rfid-bridge-DEVICE.sqlite3)"),
        Option("window", float, 3.0, "seconds within which a re-read of a tag is a repeat (default 3)"),
        Option("batch", int, 2000, "reads per message at most (default 2000)"),
        Option("heartbeat", float, 30.0, "seconds between heartbeats (default 30)"),
        Option("status_file", str, None, "write the bridge's status as JSON to this file"),
        Option("timeout", float, 10.0, "seconds to wait for the broker or server (default 10)"),
        Option("buffer_limit", int, 200_000, "reads held in memory while the spool cannot be written"),
        Option("backoff_max", float, 30.0, "longest wait between reconnection attempts (default 30)"),
        Option(
            "ack_timeout",
            float,
            60.0,
            "Celery: seconds without a worker's acknowledgement before a batch is sent again (default 60)",
        ),
        Option("log_level", str, "INFO", "DEBUG, INFO, WARNING or ERROR"),
        Option("pattern", str, None, "custom profile: regular expression with named groups"),
        Option("fields", str, None, "custom profile: field=group,... (country, national_id, word, tag)"),
        Option("radix", int, 10, "custom profile: 10 or 16 for the country and national_id groups"),
        Option("word_order", str, "msb", "custom profile: msb or reversed for the word group"),
    )
}


def load_file(path: str | os.PathLike | None) -> dict:
    """Read the TOML config file (empty when there is none)."""
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    unknown = set(data) - {"bridge", "profiles"}
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown sections {sorted(unknown)}; use [bridge] and [profiles.NAME]"
        )
    bridge = data.get("bridge", {})
    bad = set(bridge) - set(OPTIONS)
    if bad:
        raise ConfigError(f"config file {path}: unknown settings in [bridge]: {', '.join(sorted(bad))}")
    return data


def custom_profiles(data: dict) -> dict[str, profiles.Profile]:
    try:
        return {
            name: profiles.profile_from_config(name, table)
            for name, table in data.get("profiles", {}).items()
        }
    except profiles.ProfileError as exc:
        raise ConfigError(str(exc)) from exc


def parse_fields(text: str) -> dict[str, str]:
    fields = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, group = item.partition("=")
        if not sep or not key.strip() or not group.strip():
            raise ConfigError(f"--fields: {item!r} is not field=group")
        fields[key.strip()] = group.strip()
    return fields


def resolve(cli: dict, environ: dict | None = None, data: dict | None = None) -> dict:
    """Merge the sources: command line over environment over config file over defaults, typed."""
    environ = os.environ if environ is None else environ
    file_values = (data or {}).get("bridge", {})
    values = {}
    for name, option in OPTIONS.items():
        if cli.get(name) is not None:
            raw, source = cli[name], f"--{name.replace('_', '-')}"
        elif environ.get(ENV_PREFIX + name.upper()):
            raw, source = environ[ENV_PREFIX + name.upper()], ENV_PREFIX + name.upper()
        elif name in file_values:
            raw, source = file_values[name], f"config file setting {name}"
        else:
            values[name] = option.default
            continue
        try:
            if isinstance(raw, bool | dict | list):
                raise TypeError(raw)
            values[name] = option.kind(raw)
        except (TypeError, ValueError) as exc:
            kind = {str: "text", int: "whole number", float: "number"}[option.kind]
            raise ConfigError(f"{source}: {raw!r} is not a valid {kind}") from exc
    return values


def select_profile(values: dict, custom: dict) -> profiles.Profile | profiles.AutoProfile:
    """The profile ``run``/``parse`` use: the named one, or the ``--pattern`` one."""
    if values.get("pattern"):
        try:
            custom = {
                **custom,
                "custom": profiles.custom_profile(
                    "custom",
                    values["pattern"],
                    fields=parse_fields(values["fields"]) if values.get("fields") else None,
                    radix=values["radix"],
                    word_order=values["word_order"],
                ),
            }
        except profiles.ProfileError as exc:
            raise ConfigError(str(exc)) from exc
    name = values.get("profile") or ("custom" if values.get("pattern") else profiles.AUTO.name)
    try:
        return profiles.get(name, custom)
    except KeyError:
        raise ConfigError(
            f"unknown profile {name!r}; choose one of: {', '.join(profiles.names(custom))}"
        ) from None


def read_secret(secret_file: str | None, environ: dict | None = None) -> bytes:
    """The device's HMAC secret, from the secret file or RFID_BRIDGE_SECRET."""
    environ = os.environ if environ is None else environ
    if secret_file:
        path = Path(secret_file)
        try:
            secret = path.read_bytes().strip()
            mode = path.stat().st_mode
        except OSError as exc:
            raise ConfigError(f"cannot read the secret file {path}: {exc.strerror}") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            logging.getLogger("rfid_bridge").warning(
                "secret file %s can be read by other users: chmod 600 %s", path, path
            )
    else:
        secret = environ.get(SECRET_ENV, "").strip().encode()
    if not secret:
        raise ConfigError(
            "no device secret: give --secret-file PATH (or secret_file in the config file) or set "
            f"{SECRET_ENV}; the secret is the one the server shows when the device is registered"
        )
    return secret


def check_run(values: dict) -> None:
    """Refuse settings with which ``run`` cannot work."""
    if not values["device"] or not DEVICE_RE.fullmatch(values["device"]):
        raise ConfigError("--device is required: 1-64 letters, digits, '.', '_' or '-' (e.g. gate-1)")
    if not values["port"]:
        raise ConfigError("--port is required (e.g. /dev/ttyUSB0)")
    if bool(values["broker"]) == bool(values["server"]):
        raise ConfigError(
            "give exactly one of --broker (Celery, production) or --server (HTTP, embedded mode)"
        )
    if values["server"] and urlsplit(values["server"]).scheme not in ("http", "https"):
        raise ConfigError("--server must start with http:// or https://")
    if not 1 <= values["batch"] <= MAX_READS:
        raise ConfigError(f"--batch must be 1-{MAX_READS}")
    if values["window"] < 0 or values["heartbeat"] <= 0 or values["timeout"] <= 0:
        raise ConfigError("--window must be >= 0, --heartbeat and --timeout > 0")
    if values["ack_timeout"] <= 0:
        raise ConfigError("--ack-timeout must be > 0 (seconds)")
    if values["parity"] not in ("N", "E", "O", "M", "S"):
        raise ConfigError("--parity must be N, E, O, M or S")


def broker_has_password(url: str | None) -> bool:
    return bool(url) and urlsplit(url).password is not None
