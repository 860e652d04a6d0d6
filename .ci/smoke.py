"""Check that `make run` serves with DEBUG off yet with its static files (the log-in page's style
sheets and scripts) and our own error page; log in over HTTP as every demo role and fetch its
home page, in both languages; then watch the
simulated reader that `make run` starts (livestock/management/commands/reader_demo.py) on the
manager's reader page for a while: it must stay online and its reads keep arriving.

    python .ci/smoke.py http://127.0.0.1:8765 [--watch-reader SECONDS]   (default 150; 0: skip)
"""

import argparse
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "Demo-pass-2026"
READER = "demo-chute-1"
LOOK_EVERY_S = 15  # the reader page is looked at this often while watching
ONLINE_WITHIN_S = 120  # from the start of the watch: the demo reader's bridge starts with the server
HOMES = {
    "ent_a_staff": "/enterprise/",
    "ent_a_admin": "/enterprise/",
    "insp_huizhou": "/bureau/",
    "transit_qsh": "/bureau/",
    "port_wjd": "/bureau/",
    "lab_analyst": "/bureau/",
    "manager": "/bureau/",
    "sysadmin": "/bureau/",
}
EXPECT = {"zh-hans": "供港活畜", "en": "Live Animals for Hong Kong"}


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def log_in(base: str, username: str):
    """An opener with the user's session, and the page the log-in landed on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(f"{base}/accounts/login/").read().decode()
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf(login)}
    )
    return opener, opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data.encode()))


def reader_state(opener, url: str) -> tuple[str | None, int]:
    """The reader's state badge on its page (online, offline...) and its newest read's id (0: none)."""
    page = opener.open(url).read().decode()
    state = re.search(r'data-testid="reader-state"[^>]*data-state="([a-z]+)"', page)
    reads = [int(n) for n in re.findall(r'<tr data-read="(\d+)"', page)]
    return (state.group(1) if state else None), max(reads, default=0)


def watch_reader(base: str, seconds: float) -> list[str]:
    """Watch the demo reader's page as the manager: online, and new reads at every look."""
    opener, _landed = log_in(base, "manager")
    listing = opener.open(f"{base}/bureau/readers/?q={READER}").read().decode()
    found = re.search(r'href="(/bureau/readers/\d+/)"', listing)
    if not found:
        return [f"the reader list shows no {READER}"]
    url = base + found.group(1)
    deadline = time.monotonic() + ONLINE_WITHIN_S
    state, newest = reader_state(opener, url)
    while state != "online" or not newest:
        if time.monotonic() > deadline:
            return [
                f"{READER} not online with reads within {ONLINE_WITHIN_S} s: {state}, newest read {newest}"
            ]
        time.sleep(2)
        state, newest = reader_state(opener, url)
    print(f"ok  {READER} online, newest read {newest}; watching it for {seconds:.0f} s")
    failures = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(LOOK_EVERY_S)
        state, latest = reader_state(opener, url)
        print(f"    {time.strftime('%H:%M:%S')} {READER} {state}, newest read {latest}", flush=True)
        if state != "online":
            failures.append(f"{READER} is {state} after {seconds - (end - time.monotonic()):.0f} s")
        if latest <= newest:
            failures.append(f"{READER}: no new read in {LOOK_EVERY_S} s (newest still {latest})")
        if failures:
            break
        newest = latest
    return failures


def served_as_a_demo(base: str) -> list[str]:
    """DEBUG off: static files still served (by WhiteNoise), a missing page is ours, no traceback."""
    failures = []
    page = urllib.request.urlopen(f"{base}/accounts/login/").read().decode()
    assets = re.findall(r'<(?:link rel="stylesheet"|script) (?:href|src)="(/static/[^"]+)"', page)
    if not assets:
        failures.append("the log-in page links no static files")
    for asset in assets:
        try:
            urllib.request.urlopen(base + asset).read()
        except urllib.error.HTTPError as exc:
            failures.append(f"{asset}: {exc.code}")
    try:
        urllib.request.urlopen(f"{base}/no-such-page/")
        failures.append("/no-such-page/ answered 200")
    except urllib.error.HTTPError as exc:
        missing = exc.read().decode()
        if exc.code != 404 or 'data-testid="error-page"' not in missing:
            failures.append(f"/no-such-page/: {exc.code}, not our error page")
        if "URLconf" in missing or "Traceback" in missing:
            failures.append("/no-such-page/ shows Django's debug page: DEBUG is on")
    print(f"ok  {len(assets)} static files served, our own 404 page" if not failures else "FAIL static/404")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--watch-reader", type=float, default=150, help="seconds (0: do not watch)")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    failures = served_as_a_demo(base)
    for username, home in HOMES.items():
        opener, response = log_in(base, username)
        page = response.read().decode()
        if not response.geturl().endswith(home):
            failures.append(f"{username}: landed on {response.geturl()}, expected {home}")
            continue
        for language, text in EXPECT.items():
            data = urllib.parse.urlencode(
                {"language": language, "next": home, "csrfmiddlewaretoken": csrf(page)}
            )
            page = (
                opener.open(urllib.request.Request(f"{base}/i18n/setlang/", data=data.encode()))
                .read()
                .decode()
            )
            if f'lang="{language}"' not in page or text not in page:
                failures.append(f"{username}: home page not in {language}")
        print(f"ok  {username:<14} {home}")
    if args.watch_reader > 0:
        failures += watch_reader(base, args.watch_reader)
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
