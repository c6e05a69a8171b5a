"""The browser tests' world: a live `flowbridge serve` on the example models, users, and Chromium.

Playwright for Python drives Debian's Chromium (`/usr/bin/chromium`, installed by `.ci/run`);
no browser is downloaded. Without that binary (or without the playwright package) every test
here skips, saying why. Screenshots go to `tests/web/browser/artifacts/` (git-ignored), or to the
folder `FLOWBRIDGE_BROWSER_ARTIFACTS` names.

The server runs `python -m web.cli --db sqlite:///… --models bpmn serve --port 0` with
tests/web/browser/flaky_microflows.py loaded as a microflow module (it makes an incident on purpose).
Users: `ada` (administrator) and `olga` (group credit_officers), made with the CLI.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("FLOWBRIDGE_BROWSER_ARTIFACTS") or HERE / "artifacts")
PASSWORDS = {"ada": "ada-secret-1", "olga": "olga-secret-1"}
SERVER_START_SECONDS = 60
WAIT_SECONDS = 120
"""How long a test waits for the server's workers to move an instance along."""
TIMEOUT_MS = 10_000
"""How long a page action or an expectation waits before it fails."""
VIEWPORT = {"width": 1280, "height": 860}


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (.ci/run installs Debian's package: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


SKIP_REASON = _skip_reason()


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)


@dataclass
class Server:
    """A live `flowbridge serve` and the command line on its database."""

    url: str
    database_url: str
    env: dict[str, str]
    token: str = ""
    log: Path = field(default_factory=Path)

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run `flowbridge --db … --models bpmn ARGS`; its output (a failure fails the test)."""
        command = [sys.executable, "-m", "web.cli", "--db", self.database_url, "--models", str(ROOT / "bpmn")]
        done = subprocess.run(
            [*command, *args], input=stdin, capture_output=True, text=True, env=self.env, cwd=ROOT, timeout=60
        )
        assert done.returncode == 0, f"flowbridge {' '.join(args)}: {done.stderr}"
        return done.stdout

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the JSON API as ada with a bearer token: the status and the JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def deploy(self, path: Path) -> None:
        """Deploy one file through the command line."""
        self.cli("deploy", str(path))

    def start(self, key: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Start an instance over the API; the instance."""
        status, instance = self.api("POST", f"/api/process-definitions/{key}/start", {"variables": variables})
        assert status == 201, instance
        found: dict[str, Any] = instance
        return found

    def wait_for(self, instance_id: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The instance once `check(instance)` holds (the server's workers run its jobs meanwhile)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            code, instance = self.api("GET", f"/api/process-instances/{instance_id}")
            assert code == 200, instance
            if check(instance):
                found: dict[str, Any] = instance
                return found
            assert time.monotonic() < deadline, f"gave up waiting after {WAIT_SECONDS} s: {instance}"
            time.sleep(0.1)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`flowbridge serve` on a fresh SQLite database with the example models, and its users."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    folder = tmp_path_factory.mktemp("browser-server")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "FLOWBRIDGE_MICROFLOWS": "tests.web.browser.flaky_microflows",
        "FLOWBRIDGE_SECRET_KEY": "browser-tests-secret-key-0123456789abcdef",
    }
    live = Server(url="", database_url=f"sqlite:///{folder / 'flowbridge.sqlite3'}", env=env)
    live.log = folder / "serve.log"
    command = [sys.executable, "-m", "web.cli", "--db", live.database_url, "--models", str(ROOT / "bpmn")]
    with live.log.open("w") as log:
        process = subprocess.Popen(
            [*command, "serve", "--port", "0", "--workers", "2"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not live.url:
            found = re.search(r"serving (http://127\.0\.0\.1:\d+)", live.log.read_text())
            if found:
                live.url = found.group(1)
            elif process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"flowbridge serve did not start:\n{live.log.read_text()}")
            else:
                time.sleep(0.1)
        # The server has made the schema; the users are made beside it, both at once.
        with ThreadPoolExecutor(2) as pool:
            ada = ["users", "create", "ada", "--admin", "--password-stdin"]
            olga = ["users", "create", "olga", "--group", "credit_officers", "--password-stdin"]
            made = [pool.submit(live.cli, *ada, stdin=PASSWORDS["ada"] + "\n")]
            made.append(pool.submit(live.cli, *olga, stdin=PASSWORDS["olga"] + "\n"))
            for future in made:
                future.result()
        live.token = live.cli("tokens", "create", "ada").split()[-1]
        yield live
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a busy CI machine is slower than a developer's
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


def logged_in_state(server: Server, browser: Any, name: str, password: str) -> Any:
    """A user's logged-in browser state (cookies), made by logging in through the page."""
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="session")
def logins(server: Server, browser: Any) -> dict[str, Any]:
    """Each user's logged-in browser state, made once for the session (see `logging_out`)."""
    return {name: logged_in_state(server, browser, name, password) for name, password in PASSWORDS.items()}


@pytest.fixture
def logging_out(server: Server, browser: Any, logins: dict[str, Any]) -> Iterator[None]:
    """For a test that logs out through the page: logging out ends the user's sessions in every
    browser (DESIGN §6a), so the saved logins the other tests open pages with are made again."""
    yield
    for name, password in PASSWORDS.items():
        logins[name] = logged_in_state(server, browser, name, password)


def log_in(page: Any, name: str) -> None:
    """Log in through the login page, as README's tours say."""
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header .user")).to_contain_text(name)


class Pages:
    """Opens pages as a user; fails the test on an uncaught script error in any of them, or on
    anything the Content-Security-Policy refused."""

    def __init__(self, server: Server, browser: Any, logins: dict[str, Any]) -> None:
        self.server, self.browser, self.logins = server, browser, logins
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def open(self, user: str | None = None) -> Any:
        """A new page, logged in as `user` (None: nobody)."""
        state = self.logins[user] if user else None
        context = self.browser.new_context(base_url=self.server.url, viewport=VIEWPORT, storage_state=state)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._refused(page, message))
        return page

    def _refused(self, page: Any, message: Any) -> None:
        # What the Content-Security-Policy refuses (an inline script, another host) is a console error.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{page.url}: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(server: Server, browser: Any, logins: dict[str, Any]) -> Iterator[Pages]:
    """Pages for one test, closed after it; script errors on them fail it."""
    opened = Pages(server, browser, logins)
    yield opened
    opened.close()
    assert not opened.errors, opened.errors


def screenshot(target: Any, name: str) -> Path:
    """Save a whole page (or one element, given a locator) as ARTIFACTS/NAME.png, for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if hasattr(target, "goto"):
        target.screenshot(path=str(path), full_page=True)
    else:
        target.screenshot(path=str(path))
    return path
