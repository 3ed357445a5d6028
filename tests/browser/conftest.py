"""Fixtures of the web console's browser tests: gunicorn over the lane's OpenNebula (as in
tests/e2e), Debian's chromium driven headless through its chromedriver with Selenium, one
browser per pytest worker, and the API itself (cimi_client) to set up, check and clean up.

Without chromium or chromedriver the tests are skipped with the reason, unless
CIMI_TEST_REQUIRE_BROWSER=1 (CI sets it once it has installed them): then they fail. Without
selenium (requirements-dev.txt) test_console.py is skipped.
"""
import os
import uuid

import pytest

from cimi_client.client import CimiClient
from support.servers import (  # noqa: F401 (fixtures)
    installed, onesim_process, opennebula_process, running_gunicorn,
)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRE_VARIABLE = "CIMI_TEST_REQUIRE_BROWSER"
DESKTOP = (1280, 800)


def _missing():
    """What the browser tests lack on this machine, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install {package})"
    return None


@pytest.fixture(scope="session")
def browser():
    """This worker's headless chromium at 1280x800, driven by Debian's chromedriver (given
    explicitly: Selenium Manager never downloads a driver or a browser)."""
    missing = _missing()
    if missing:
        if os.environ.get(REQUIRE_VARIABLE) == "1":
            pytest.fail(f"{REQUIRE_VARIABLE}=1 but {missing}")
        pytest.skip(f"browser tests need Debian's chromium and chromium-driver: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def console_server(installed):
    """The Cloud Entry Point URL of a gunicorn server with the instance types installed."""
    with running_gunicorn(installed.endpoint) as entry_point:
        yield entry_point


@pytest.fixture(scope="session")
def credentials(installed):
    """(user, password) of the lane's demo user, the one the tests sign in as."""
    user, _, password = installed.demo_session.partition(":")
    return user, password


@pytest.fixture
def api(console_server, credentials):
    return CimiClient(console_server, *credentials, poll_seconds=0.2)


@pytest.fixture
def other_api(console_server, installed):
    """The API as another user of the users group."""
    user, _, password = installed.user_session("browser-other").partition(":")
    return CimiClient(console_server, user, password, poll_seconds=0.2)


@pytest.fixture
def token():
    """A name prefix of this test's own, so that workers never touch each other's objects."""
    return f"web-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def console(browser, console_server, request):
    """The console, freshly loaded (so signed out) at desktop size; screenshots of the test's
    steps go to var/test-artefacts/browser/<test>/."""
    browser.set_window_size(*DESKTOP)
    from console_page import ConsolePage

    page = ConsolePage(browser, console_server.replace("/cimi/cloudEntryPoint", "/console/"),
                       request.node.name)
    page.load()
    yield page
    page.screenshot("end")
    errors = page.script_errors()
    assert not errors, f"the page reported errors: {errors}"


@pytest.fixture
def leftovers(api, token):
    """Deletes, after the test, whatever of the test's own (named with its token) is left:
    machines first (they hold volumes), then volumes, images and credentials."""
    yield
    from support.lanes import STATE_WAIT_SECONDS

    machines = [machine for machine in api.members("machines")
                if machine.get("name", "").startswith(token)]
    for machine in machines:
        api.delete(machine)
    for machine in machines:
        api.wait_for_state(machine["id"], {"GONE"}, STATE_WAIT_SECONDS)
    for collection in ("volumes", "machineImages", "credentials"):
        for resource in api.members(collection):
            if resource.get("name", "").startswith(token):
                api.delete(resource)

