"""Screenshots of the main pages for docs/screenshots/: the demo (`seed_demo`
on a throwaway SQLite database) served by runserver, shot by headless
Chromium from Debian at 1366×768 and 390×844, in Russian and English.

    .venv/bin/python docs/screenshots.py        # rewrites docs/screenshots/*.png

Needs Playwright (the dev extra) and /usr/bin/chromium; downloads nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "helpdesk-demo"
USED_CODES: set[str] = set()
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
# (who signs in, [(name, path or a link to follow from the path before)])
PAGES = [
    (
        None,
        [
            ("sign-in", "/accounts/login/"),
            ("knowledge-base", "/kb/"),
            ("article", "first:/kb/ a[lang]"),
        ],
    ),
    (
        "customer@example.com",
        [
            ("home", "/"),
            ("tickets", "/tickets/"),
            ("ticket", "first:/tickets/ table a[href^='/tickets/HD-']"),
            ("new-ticket", "/tickets/new/"),
        ],
    ),
    (
        "agent@example.com",
        [
            ("queue", "/staff/queue/"),
            ("staff-ticket", "first:/staff/queue/ table a[href^='/tickets/HD-']"),
        ],
    ),
    ("supervisor@example.com", [("dashboard", "/staff/dashboard/")]),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _sign_in(page, base: str, env: dict[str, str], email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()
    if page.locator("input[name=code]").count():
        # allauth takes each code once: wait for the next one if it was used.
        code = _manage(env, "demo_code").split()[0]
        while code in USED_CODES:
            time.sleep(2)
            code = _manage(env, "demo_code").split()[0]
        USED_CODES.add(code)
        page.locator("input[name=code]").fill(code)
        page.locator("form:has(input[name=code]) button[type=submit]").first.click()
        page.wait_for_load_state()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
            "DEMO": "true",
            "SITE_URL": base,
        }
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        _manage(env, "seed_demo_automation")
        _manage(env, "seed_demo_knowledge")
        server = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urlopen(f"{base}/support-hours/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            _shoot(base, env)
        finally:
            server.terminate()
            server.wait()


def _shoot(base: str, env: dict[str, str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu"],
            headless=True,
        )
        for language in ("ru", "en"):
            for size, (width, height) in SIZES.items():
                for email, pages in PAGES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height},
                        locale=f"{language}-{language.upper()}",
                        timezone_id="Europe/Moscow",
                    )
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": base}]
                    )
                    page = context.new_page()
                    if email:
                        _sign_in(page, base, env, email)
                    for name, path in pages:
                        if path.startswith("first:"):
                            start, selector = path[len("first:") :].split(" ", 1)
                            page.goto(f"{base}{start}")
                            page.locator(f"{selector} >> visible=true").first.click()
                        else:
                            page.goto(f"{base}{path}")
                        page.wait_for_load_state("networkidle")
                        target = OUT / f"{language}-{size}-{name}.png"
                        page.screenshot(path=target)
                        print(target.relative_to(ROOT))
                    context.close()
        browser.close()


if __name__ == "__main__":
    main()
