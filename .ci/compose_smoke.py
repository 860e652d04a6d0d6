"""The network half of the compose smoke test (.ci/compose_smoke.sh): standard library only.

  token                     print a random hex secret
  free-port                 print a free TCP port on 127.0.0.1
  cable --bind IP ...       the virtual serial cable: a TCP server the bridge opens as
                            socket://IP:PORT (pyserial), writing reader lines of the given tags
  wait-web URL --host H     wait until /healthz answers through the published port
  web-check URL ...         production checks over HTTP, log in (password in SMOKE_PASSWORD),
                            the reader's page shows every read

The site is spoken to as the reverse proxy of docs/deploy.md would: plain HTTP to gunicorn's
published port with the site's Host, X-Forwarded-Proto: https and X-Forwarded-For. Its cookies
are Secure, so they are kept here by hand (http.cookiejar would not send them over http://).
"""

import argparse
import collections
import http.client
import http.cookies
import os
import re
import secrets
import socket
import sys
import time
import urllib.parse

ALLFLEX = "LA {country} {national}"  # the Allflex readers' default line (docs/rfid_bridge.md)


def log(message: str) -> None:
    print(f"[compose-smoke] {message}", flush=True)


def reader_lines(tags: list[str], repeats: int) -> list[bytes]:
    """What a reader prints while these animals pass it: each tag read a few times, some noise."""
    lines = [b"\x02\r\n"]  # the power-on line of an Allflex reader: not a tag, never stored
    for tag in tags:
        line = ALLFLEX.format(country=tag[:3], national=tag[3:]).encode() + b"\r\n"
        lines.extend([line] * repeats)
    lines.append(b"?? noise from a loose plug\r\n")  # unrecognised: counted, never stored
    return lines


def read_tags(path: str) -> list[str]:
    with open(path, encoding="ascii") as f:
        return [line.strip() for line in f if line.strip()]


def cmd_token(args) -> int:
    print(secrets.token_hex(args.bytes))
    return 0


def cmd_free_port(args) -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
    return 0


def cmd_cable(args) -> int:
    """Serve the reader's end of the cable; the lines go out once, to the first bridge that opens it."""
    tags = read_tags(args.tags)
    lines = reader_lines(tags, args.repeats)
    server = socket.create_server((args.bind, 0))
    with open(args.port_file, "w", encoding="ascii") as f:
        f.write(str(server.getsockname()[1]))
    log(f"cable listening on {args.bind}:{server.getsockname()[1]}, {len(tags)} tags x {args.repeats} reads")
    sent = False
    while True:
        conn, peer = server.accept()
        log(f"bridge connected from {peer[0]}")
        with conn:
            if not sent:
                for i, line in enumerate(lines):
                    conn.sendall(line)
                    # A few reads a second, as an animal walks past a chute reader.
                    time.sleep(args.pause if (i + 1) % args.repeats == 0 else 0.02)
                sent = True
                log(f"wrote {len(lines)} lines ({len(tags) * args.repeats} tag reads)")
            while conn.recv(4096):  # held open like a cable, until the bridge lets go
                pass
        log("bridge disconnected")


class Site:
    """The site through its published port, as a proxy forwards to it."""

    def __init__(self, url: str, host: str):
        parts = urllib.parse.urlsplit(url)
        self.address = (parts.hostname, parts.port or 80)
        self.host = host
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body: dict | None = None, https: bool = True, headers=None):
        conn = http.client.HTTPConnection(*self.address, timeout=30)
        sent = {"Host": self.host, "X-Forwarded-For": "127.0.0.1", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the Origin (and the Referer) of an HTTPS POST against the Host.
            sent["Origin"] = f"https://{self.host}"
            sent["Referer"] = f"https://{self.host}{path}"
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response, text


def cmd_wait_web(args) -> int:
    site = Site(args.url, args.host)
    deadline = time.monotonic() + args.timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            response, text = site.request("GET", "/healthz")
            if response.status == 200:
                log(f"web answers /healthz: {text.strip()!r}")
                return 0
            last = f"HTTP {response.status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    log(f"FAIL: web did not answer /healthz within {args.timeout} s ({last})")
    return 1


def cmd_web_check(args) -> int:
    site = Site(args.url, args.host)
    failures = []

    def check(ok: bool, message: str) -> None:
        log(("ok    " if ok else "FAIL  ") + message)
        if not ok:
            failures.append(message)

    # Production settings are in force: plain http is sent to https, a foreign Host is refused.
    response, _ = site.request("GET", "/healthz", https=False)
    location = response.getheader("Location") or ""
    check(
        response.status in (301, 302) and location.startswith(f"https://{args.host}/"),
        f"http redirects to https ({response.status} {location})",
    )
    response, _ = Site(args.url, "evil.example").request("GET", "/healthz")
    check(response.status == 400, f"a Host not in DJANGO_ALLOWED_HOSTS is refused ({response.status})")

    response, page = site.request("GET", "/accounts/login/")
    check(response.status == 200, f"log-in page ({response.status})")
    check(
        "max-age=" in (response.getheader("Strict-Transport-Security") or ""),
        "HSTS header on an https request",
    )
    # Static files were collected into the image and are served by whitenoise (hashed names).
    css = re.search(r'href="(/static/[^"]+\.css)"', page)
    if css:
        static, _ = site.request("GET", css.group(1))
        check(static.status == 200, f"static file {css.group(1)} ({static.status})")
    else:
        check(False, "the log-in page links a stylesheet under /static/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    check(bool(token), "log-in form carries a CSRF token")
    if failures:
        return 1

    response, _ = site.request(
        "POST",
        "/accounts/login/",
        body={
            "username": args.user,
            "password": os.environ["SMOKE_PASSWORD"],
            "csrfmiddlewaretoken": token.group(1),
        },
    )
    check(
        response.status == 302 and "sessionid" in site.cookies,
        f"log-in as {args.user} ({response.status} to {response.getheader('Location')})",
    )
    if failures:
        return 1

    expected = collections.Counter(dict.fromkeys(read_tags(args.tags), args.repeats))
    for path in (f"/bureau/readers/{args.device_id}/", f"/bureau/readers/{args.device_id}/feed/?after=0"):
        response, page = site.request("GET", path)
        seen = collections.Counter(re.findall(r'data-tag="(\d{15})"', page))
        check(response.status == 200, f"GET {path} ({response.status})")
        check(
            seen == expected,
            f"{path} shows every read of the cable, once: {sum(seen.values())} of {sum(expected.values())}"
            + (
                ""
                if seen == expected
                else f" (missing {dict(expected - seen)}, extra {dict(seen - expected)})"
            ),
        )
    response, page = site.request("GET", "/bureau/readers/")
    check(response.status == 200 and args.device_code in page, f"the reader list names {args.device_code}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("token")
    p.add_argument("--bytes", type=int, default=32)
    p.set_defaults(run=cmd_token)
    sub.add_parser("free-port").set_defaults(run=cmd_free_port)
    p = sub.add_parser("cable")
    p.add_argument("--bind", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--tags", required=True, help="file: one 15-digit tag per line")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--pause", type=float, default=0.3)
    p.set_defaults(run=cmd_cable)
    p = sub.add_parser("wait-web")
    p.add_argument("url")
    p.add_argument("--host", required=True)
    p.add_argument("--timeout", type=float, default=180)
    p.set_defaults(run=cmd_wait_web)
    p = sub.add_parser("web-check")
    p.add_argument("url")
    p.add_argument("--host", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--device-id", required=True)
    p.add_argument("--device-code", required=True)
    p.add_argument("--tags", required=True)
    p.add_argument("--repeats", type=int, default=3)
    p.set_defaults(run=cmd_web_check)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
