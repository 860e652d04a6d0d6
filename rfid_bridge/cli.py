"""Command line: ``python -m rfid_bridge run|parse|profiles|status|simulate|bench``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from . import __version__, config, profiles
from .config import ConfigError

log = logging.getLogger("rfid_bridge")


def _add_options(parser: argparse.ArgumentParser, names) -> None:
    for name in names:
        option = config.OPTIONS[name]
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=option.kind,
            default=None,
            metavar=name.upper(),
            help=option.help,
        )


def _profile_options(parser: argparse.ArgumentParser) -> None:
    _add_options(parser, ("profile", "pattern", "fields", "radix", "word_order"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rfid_bridge",
        description="Carry ear-tag reads from a serial RFID reader to the livestock server.",
    )
    parser.add_argument("--version", action="version", version=f"rfid_bridge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="read the reader, spool and deliver (the service)",
        epilog="Every option can also be given as an environment variable RFID_BRIDGE_<OPTION> "
        "(e.g. RFID_BRIDGE_PORT, RFID_BRIDGE_BROKER) or in the [bridge] section of --config. The "
        "device secret comes from --secret-file or RFID_BRIDGE_SECRET, never from the command line.",
    )
    run.add_argument("--config", help="TOML config file ([bridge] settings, [profiles.NAME] custom profiles)")
    _add_options(
        run, [n for n in config.OPTIONS if n not in ("profile", "pattern", "fields", "radix", "word_order")]
    )
    _profile_options(run)

    parse = sub.add_parser(
        "parse", help="parse reader lines from standard input, print one JSON object a line"
    )
    parse.add_argument("--config", help="TOML config file with custom profiles")
    _profile_options(parse)

    listing = sub.add_parser("profiles", help="list the reader profiles")
    listing.add_argument("--config", help="TOML config file with custom profiles")
    listing.add_argument("--json", action="store_true", help="as JSON")

    status = sub.add_parser("status", help="show a spool's unsent reads and last seq")
    status.add_argument("--spool", required=True, help="the spool file")
    status.add_argument("--status-file", help="also show the running bridge's status file")
    status.add_argument("--json", action="store_true", help="as JSON")

    sim = sub.add_parser("simulate", help="act as a reader: write tag lines into a serial URL")
    sim.add_argument("--port", required=True, help="serial URL to write to, or - for standard output")
    sim.add_argument("--tags", required=True, help="file of 15-digit tags, or a number of random tags")
    sim.add_argument("--rate", type=float, default=10.0, help="lines per second (0: as fast as possible)")
    sim.add_argument("--profile", default="allflex", help="format to write in (default allflex)")
    sim.add_argument(
        "--repeat",
        default="1",
        help="reads of each tag in a row: a number, or a range such as 3-8 (default 1)",
    )
    sim.add_argument("--noise", type=float, default=0.0, help="share of non-tag lines mixed in (0-1)")
    sim.add_argument("--power-on", action="store_true", help="start with the <STX> power-on line")
    sim.add_argument(
        "--forever",
        action="store_true",
        help="a reader at a chute: tags pass at random, without end (until stopped, or --count)",
    )
    sim.add_argument(
        "--unknown", type=float, default=0.0, help="with --forever: share of tags nobody registered (0-1)"
    )
    sim.add_argument("--gap", type=float, default=0.0, help="seconds between two tags passing (default 0)")
    sim.add_argument("--count", type=int, default=0, help="with --forever: stop after this many tags")
    sim.add_argument("--baudrate", type=int, default=9600)
    sim.add_argument("--seed", type=int, default=1, help="random seed for tags and noise")

    bench = sub.add_parser("bench", help="measure parse -> spool -> delivery throughput on this machine")
    bench.add_argument("--count", type=int, default=100_000, help="reads to push through (default 100000)")
    bench.add_argument("--broker", help="deliver to this Celery broker (default: no-op delivery)")
    bench.add_argument("--spool-dir", help="directory for the benchmark spool (default: a temporary one)")
    bench.add_argument("--batch", type=int, default=500)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"rfid_bridge: {exc}", file=sys.stderr)
        return 2


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _profile_for(args) -> tuple[object, dict]:
    data = config.load_file(getattr(args, "config", None))
    custom = config.custom_profiles(data)
    values = config.resolve({k: v for k, v in vars(args).items() if k in config.OPTIONS}, data=data)
    return config.select_profile(values, custom), custom


# --- run -------------------------------------------------------------------------------------


def cmd_run(args) -> int:
    data = config.load_file(args.config or os.environ.get("RFID_BRIDGE_CONFIG"))
    values = config.resolve({k: v for k, v in vars(args).items() if k in config.OPTIONS}, data=data)
    _setup_logging(values["log_level"])
    config.check_run(values)
    profile = config.select_profile(values, config.custom_profiles(data))
    secret = config.read_secret(values["secret_file"])
    if args.broker and config.broker_has_password(args.broker):
        log.warning("the broker password is on the command line, where `ps` shows it: use RFID_BRIDGE_BROKER")
    if profile.name == profiles.AUTO.name:
        log.warning(
            "profile auto: every format is tried; name the reader's profile (--profile) in production"
        )

    # Imported here: parse, profiles and status work without pyserial and Celery installed.
    from .bridge import Bridge, Settings
    from .delivery import CeleryDelivery, HttpDelivery

    if values["broker"]:
        delivery = CeleryDelivery(values["broker"], queue=values["queue"], timeout=values["timeout"])
    else:
        delivery = HttpDelivery(values["server"], timeout=values["timeout"])
    settings = Settings(
        device=values["device"],
        port=values["port"],
        profile=profile,
        spool=Path(values["spool"] or f"rfid-bridge-{values['device']}.sqlite3"),
        secret=secret,
        baudrate=values["baudrate"],
        bytesize=values["bytesize"],
        parity=values["parity"],
        stopbits=values["stopbits"],
        window=values["window"],
        batch=values["batch"],
        heartbeat=values["heartbeat"],
        status_every=min(5.0, values["heartbeat"]),
        status_file=Path(values["status_file"]) if values["status_file"] else None,
        buffer_limit=values["buffer_limit"],
        backoff_max=values["backoff_max"],
        ack_timeout=values["ack_timeout"],
    )
    try:
        bridge = Bridge(settings, delivery)
    except Exception as exc:  # noqa: BLE001 - spool errors of every kind: say what and stop
        print(f"rfid_bridge: cannot open the spool {settings.spool}: {exc}", file=sys.stderr)
        return 1

    def on_signal(signum, _frame):
        log.info("%s received: stopping", signal.Signals(signum).name)
        bridge.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    bridge.run()
    return 0


# --- parse -----------------------------------------------------------------------------------


def iter_lines(stream):
    """Lines of a binary stream, cut as the reader cuts a serial stream; the last may lack an end."""
    from .lines import LineSplitter

    splitter = LineSplitter()
    while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
        yield from splitter.feed(chunk)
    if rest := splitter.take_partial():
        yield rest


def cmd_parse(args) -> int:
    profile, _ = _profile_for(args)
    kinds: Counter = Counter()
    matched: Counter = Counter()
    out = sys.stdout
    interactive = sys.stdout.isatty() or sys.stdin.isatty()
    for line in iter_lines(sys.stdin.buffer):
        text = line.decode("latin-1")
        result = profile.parse(text)
        kinds[result.kind] += 1
        if result.profile:
            matched[result.profile] += 1
        out.write(json.dumps({**result.as_dict(), "raw": profiles.raw_text(text)}) + "\n")
        if interactive:  # someone watches a live reader: show each line at once
            out.flush()
    out.flush()
    total = sum(kinds.values())
    summary = f"{total} lines: {kinds[profiles.TAG]} tags"
    others = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()) if kind != profiles.TAG)
    if others:
        summary += f"; not tags: {others}"
    if matched:
        summary += "; profiles that recognised lines: " + ", ".join(
            f"{p} {n}" for p, n in matched.most_common()
        )
    print(summary, file=sys.stderr)
    return 0


# --- profiles, status ------------------------------------------------------------------------


def cmd_profiles(args) -> int:
    custom = config.custom_profiles(config.load_file(args.config))
    items = [profiles.get(name, custom) for name in profiles.names(custom)]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": p.name,
                        "description": p.description,
                        "examples": list(p.examples),
                        "builtin": p.builtin,
                    }
                    for p in items
                ],
                indent=1,
            )
        )
        return 0
    for p in items:
        print(f"{p.name:18} {p.description}")
        for example in p.examples:
            print(f"{'':18}   e.g. {profiles.raw_text(example)}")
    return 0


def cmd_status(args) -> int:
    from .spool import SpoolError, inspect

    try:
        stats = inspect(args.spool)
    except SpoolError as exc:
        print(f"rfid_bridge: {exc}", file=sys.stderr)
        return 1
    running = None
    if args.status_file:
        try:
            running = json.loads(Path(args.status_file).read_text())
        except (OSError, ValueError) as exc:
            print(f"rfid_bridge: cannot read the status file {args.status_file}: {exc}", file=sys.stderr)
    if args.json:
        print(json.dumps({"spool": stats, "status": running}, indent=1))
        return 0
    print(f"spool       {stats['path']} ({stats['bytes']} bytes)")
    print(f"device      {stats['device'] or '-'}")
    print(
        f"unsent      {stats['pending']} reads"
        + (f", oldest from {stats['oldest_at']}" if stats["pending"] else "")
    )
    print(f"last seq    {stats['last_seq']}")
    if running:
        state = running.get("state", {})
        print(f"status at   {running.get('at')}")
        for key in ("connected", "port", "last_read_at", "raw_reads", "sightings", "non_tags", "alarm"):
            print(f"{key:11} {state.get(key)}")
        detail = running.get("detail", {})
        print(f"bytes_read  {detail.get('bytes_read')}")
        print(f"non-tag kinds {detail.get('non_tag_kinds')}")
    return 0


# --- simulate, bench -------------------------------------------------------------------------


def cmd_simulate(args) -> int:
    from . import simulate

    try:
        profile = profiles.get(args.profile)
        codes = simulate.tag_codes(args.tags, seed=args.seed)
        repeat = simulate.parse_repeat(args.repeat)
        target = simulate.open_target(args.port, baudrate=args.baudrate)
    except KeyError:
        raise ConfigError(
            f"unknown profile {args.profile!r}; choose one of: {', '.join(profiles.BUILTIN)}"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(str(exc)) from exc
    try:
        counts = simulate.simulate(
            target,
            codes,
            profile,
            rate=args.rate,
            repeat=repeat,
            noise=args.noise,
            power_on=args.power_on,
            seed=args.seed,
            forever=args.forever,
            unknown=args.unknown,
            gap=args.gap,
            count=args.count,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    except (KeyboardInterrupt, BrokenPipeError):
        return 0  # stopped, or the far end went away (`simulate --port - | head`)
    finally:
        target.close()
    print(json.dumps(counts), file=sys.stderr)
    return 0


def cmd_bench(args) -> int:
    from .bench import bench

    _setup_logging("WARNING")
    result = bench(count=args.count, broker=args.broker, spool_dir=args.spool_dir, batch=args.batch)
    print(json.dumps(result, indent=1))
    return 0


COMMANDS = {
    "run": cmd_run,
    "parse": cmd_parse,
    "profiles": cmd_profiles,
    "status": cmd_status,
    "simulate": cmd_simulate,
    "bench": cmd_bench,
}
