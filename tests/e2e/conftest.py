"""Real-browser test machinery: a gunicorn server with the demo site, Debian's Chromium via Playwright,
screenshots and an axe-core accessibility check. Every test in tests/e2e/ is marked `browser`
(`make test-browser` runs them; the main pytest runs exclude them with `-m "not browser"`).

Adding a flow: write `def test_...(phone, shot, e2e_server)` (or `desktop`), drive the page with Playwright's
sync API, call `shot(page, "step-name")` after each step, and `login(desktop, e2e_server, "editor")` for staff.
The server is shared by the whole session: a flow that changes data must not rely on another flow's data
(create what it needs through the UI, or use unique values).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DEMO_PASSWORD = "sigap-demo"  # noqa: S105 - the documented demo credential (seed_demo)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/e2e/ as `browser` before `-m` deselects, so no test can forget it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    log: Path
    database: Path  # the server's SQLite file: flows may read it (sqlite3, read-only) to check an outcome

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, timeout=600,
                   stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory) -> LiveServer:
    """gunicorn (the production server) on a free port, with a file SQLite database holding seed_demo."""
    base = tmp_path_factory.mktemp("e2e")
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",  # DEBUG off, demo seeding allowed, fast hashing
        "DATABASE_URL": f"sqlite:///{base / 'e2e.sqlite3'}",
        "SIGAP_VAR_DIR": str(base),
        "MEDIA_ROOT": str(base / "media"),
        "PRIVATE_MEDIA_ROOT": str(base / "private"),
        "STATIC_ROOT": str(base / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "LOG_FORMAT": "text",
        "CACHE_BACKEND": "db",  # two workers: the page cache's generation must be shared, as in production
    }
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "seed_demo")
    _manage(env, "collectstatic", "--noinput")
    log = ARTIFACTS / "e2e-server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name("gunicorn")), "--config", "scripts/gunicorn.conf.py"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", log=log, database=base / "e2e.sqlite3")
    try:
        _wait_healthy(server, proc)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_healthy(server: LiveServer, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{server.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(server("/healthz"), timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within {timeout}s:\n{server.log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Never `playwright install`: no browser download."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser, options):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone(browser):
    """A page on a 360x740 phone (touch, 2x pixels), Bahasa Indonesia, Jakarta time."""
    context = _context(browser, PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    """A page on a 1280x800 office screen: editors, interviewers, comms staff."""
    context = _context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def shot(request):
    """`shot(page, "name")` saves a full-page screenshot to test-artifacts/screenshots/<test>/<nn>-<name>.png."""
    folder = SCREENSHOTS / request.node.name.replace("/", "_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = iter(range(1, 1000))

    def take(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


def login(page, server: LiveServer, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log into the Wagtail admin as a demo user and wait for the dashboard."""
    page.goto(server("/admin/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server("/admin/"))


def query_db(server: LiveServer, sql: str, params=()) -> list[tuple]:
    """Read the server's database (read-only) to check what a flow changed."""
    import sqlite3

    connection = sqlite3.connect(f"file:{server.database}?mode=ro", uri=True, timeout=20)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core (node_modules, offline) on the loaded page; describe violations of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make browser-deps` (npm ci)")
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern
    # (a <script> tag would be refused on public pages, which allow no inline script).
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in result["violations"]:
        if violation["impact"] in impacts:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            found.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return found
