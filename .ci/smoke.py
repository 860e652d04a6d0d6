"""Log in over HTTP as every demo role and fetch its home page, in both languages."""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
PASSWORD = "Demo-pass-2026"
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


def main() -> int:
    failures = []
    for username, home in HOMES.items():
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = opener.open(f"{BASE}/accounts/login/").read().decode()
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf(login)}
        )
        response = opener.open(urllib.request.Request(f"{BASE}/accounts/login/", data=data.encode()))
        page = response.read().decode()
        if not response.geturl().endswith(home):
            failures.append(f"{username}: landed on {response.geturl()}, expected {home}")
            continue
        for language, text in EXPECT.items():
            data = urllib.parse.urlencode(
                {"language": language, "next": home, "csrfmiddlewaretoken": csrf(page)}
            )
            page = (
                opener.open(urllib.request.Request(f"{BASE}/i18n/setlang/", data=data.encode()))
                .read()
                .decode()
            )
            if f'lang="{language}"' not in page or text not in page:
                failures.append(f"{username}: home page not in {language}")
        print(f"ok  {username:<14} {home}")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
