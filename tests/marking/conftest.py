"""Fixtures of the marking app's tests: class folders, the app served on a thread, a headless Chromium."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest

from grader.frontends.marking.cli import prepare
from tests.support.markingclass import build_class, sample_answers

#: The system's Chromium (Playwright drives it; no browser is downloaded).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def samples() -> dict[str, dict[str, str | None]]:
    return sample_answers()


@pytest.fixture
def sample_class(tmp_path: Path, samples) -> Path:
    """The sample submissions' written answers, every automatic check passed."""
    return build_class(tmp_path / "class", samples)


class App:
    """A marking app served on a thread: ``url`` carries the token, ``base`` does not."""

    def __init__(self, out: Path) -> None:
        self.served = prepare(out, marker="tester")
        self.url = self.served.url
        self.base = self.url.split("?")[0].rstrip("/")
        self.token = self.url.split("token=")[1]
        self.thread = threading.Thread(target=self.served.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.served.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the marking app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.served.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def app(sample_class: Path) -> Iterator[App]:
    with App(sample_class) as served:
        yield served


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (apt-get install chromium; CI's .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # root in a container has no user namespace for Chromium's own sandbox
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()
