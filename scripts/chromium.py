"""Headless Chromium for the report's browser test and the README's screenshots (selenium + chromedriver).

Uses the system's browser and its matching driver (Debian's ``chromium`` and ``chromium-driver``,
installed by ``make browser`` where apt is available); nothing is downloaded, Selenium Manager
is kept offline. `BrowserUnavailable` says in plain words why no browser could be started.
"""

from __future__ import annotations

import os
import shutil

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)


class BrowserUnavailable(RuntimeError):
    pass


def _find(names: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    return next((p for p in map(shutil.which, names) if p), None)


def launch(width: int = 1400, height: int = 1000):
    """A headless Chromium driven by selenium, with the page's console log kept."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise BrowserUnavailable(f"selenium is not installed ({exc}); run make install") from None
    browser = _find(BROWSERS, "CHROMIUM")
    driver = _find(DRIVERS, "CHROMEDRIVER")
    if not browser or not driver:
        raise BrowserUnavailable("no chromium or chromedriver on PATH; `make browser` installs Debian's "
                                 "chromium and chromium-driver where apt-get can be run as root")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager reach for a download
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--lang=zh-CN"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(options=options, service=Service(executable_path=driver))
    except Exception as exc:  # a browser that will not start is a skip, with the reason, not a crash
        raise BrowserUnavailable(f"chromium did not start: {str(exc).splitlines()[0][:300]}") from None
