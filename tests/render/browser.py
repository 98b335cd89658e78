"""Open a generated page in headless Chromium with the network off, and report what happened.

Uses Debian's ``chromium`` and ``chromium-driver`` through Selenium (never a
browser download). The network is cut three ways: DevTools offline
emulation, a proxy on a closed local port, and host resolution that finds
nothing, so no request can leave the machine; every request the page makes
is still logged (performance log), so a test can check that none went
anywhere but ``file:`` and ``data:``. ``window.alert``/``confirm``/``prompt``
are replaced before any page script runs, so a payload that executed would
be recorded, not shown.

Shared by tests/render/test_browser.py and bench/bench_render.py.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,900",
)  # fmt: skip

TRAP = """
window.__alerts = [];
['alert', 'confirm', 'prompt'].forEach(function (name) {
  window[name] = function (message) { window.__alerts.push(name + ':' + String(message)); return null; };
});
"""

CANVAS_PIXELS = """
var canvas = document.querySelector('#graph canvas');
if (!canvas) { return -1; }
var ctx = canvas.getContext('2d');
var data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
var count = 0;
for (var i = 0; i < data.length; i += 4) {
  if (data[i + 3] > 0 && !(data[i] > 245 && data[i + 1] > 245 && data[i + 2] > 245)) { count++; }
}
return count;
"""


def find_chromium() -> tuple[str, str] | None:
    """Paths of a Chromium binary and its chromedriver, or None."""
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    driver = shutil.which("chromedriver") or (
        "/usr/lib/chromium/chromedriver" if Path("/usr/lib/chromium/chromedriver").exists() else None
    )
    return (browser, driver) if browser and driver else None


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if find_chromium() is None:
        return "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    return None


@dataclass
class PageReport:
    """What happened when a page was opened."""

    drawn: bool
    seconds_to_draw: float | None
    painted_pixels: int
    requests: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checks: dict[str, object] = field(default_factory=dict)


class Browser:
    """A headless Chromium session with the network cut; use as a context manager."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        found = find_chromium()
        if found is None:
            raise RuntimeError(unavailable_reason() or "no Chromium")
        browser, driver = found
        self._profile = tempfile.mkdtemp(prefix="sna-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
        self.driver = webdriver.Chrome(options=options, service=Service(driver))
        self.driver.set_page_load_timeout(120)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def _requests(self) -> list[str]:
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def open(self, path: str | Path, *, timeout: float = 120.0, screenshot: str | Path | None = None) -> PageReport:
        """Load a page, wait until vis-network has drawn (or ``timeout``), and report."""
        self.driver.get_log("performance")  # drop earlier entries
        self.driver.get_log("browser")
        self.driver.get(Path(path).resolve().as_uri())
        deadline = time.monotonic() + timeout
        drawn = False
        while time.monotonic() < deadline:
            if self.driver.execute_script("return document.body && document.body.getAttribute('data-drawn') === '1'"):
                drawn = True
                break
            time.sleep(0.05)
        seconds = self.driver.execute_script("return window.snaDrawn === undefined ? null : window.snaDrawn / 1000")
        pixels = int(self.driver.execute_script(CANVAS_PIXELS)) if drawn else 0
        if screenshot:
            self.driver.save_screenshot(str(screenshot))
        alerts = list(self.driver.execute_script("return window.__alerts || []"))
        errors = [e["message"] for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]
        return PageReport(drawn, seconds, pixels, self._requests(), alerts, errors)

    def run(self, script: str, *args: object) -> object:
        """Run JavaScript in the open page."""
        return self.driver.execute_script(script, *args)


#: URL schemes that never leave the machine: the page's own file, inline data, and the browser's
#: own resources (a busy machine sometimes shows Chromium loading an internal page's scripts).
LOCAL_SCHEMES = ("file:", "data:", "chrome:", "chrome-untrusted:", "devtools:")


def foreign_requests(urls: list[str]) -> list[str]:
    """Requests to anything but the local file, inline data and the browser's own resources."""
    return [u for u in urls if not u.startswith(LOCAL_SCHEMES)]
