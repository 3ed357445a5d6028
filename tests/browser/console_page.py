"""The web console as a test sees it: a page object over a Selenium driver that finds things
the way a user does (labels, button names, table rows by name) and keeps a screenshot of
each step in var/test-artefacts/browser/<test>/."""
import re
import time
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts" / "browser"
# How long the page may take to answer a click: a few API calls on a loaded machine.
UI_SECONDS = 30
# How long a row must stay away to count as gone (a re-render removes rows for a moment).
GONE_SECONDS = 1.0


class ConsolePage:
    def __init__(self, driver, url, test_name):
        self.driver = driver
        self.url = url
        self.directory = ARTEFACTS / re.sub(r"[^\w.-]+", "_", test_name)
        self.steps = 0

    # --- navigation --------------------------------------------------------------------------

    def load(self):
        self.driver.get(self.url)
        self.wait_until(lambda: self.shown("sign-in-form"), "the sign-in form")

    def sign_in(self, user, password):
        self.field("username").clear()
        self.field("username").send_keys(user)
        self.field("password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "#sign-in-form button[type=submit]").click()

    def signed_in(self, user, password):
        self.sign_in(user, password)
        self.wait_until(lambda: self.shown("machines-page"), "the machines page")

    def go(self, page):
        self.driver.find_element(By.CSS_SELECTOR, f'#nav [data-page="{page}"]').click()
        self.wait_until(lambda: self.shown(f"{page}-page"), f"the {page} page")

    # --- finding -----------------------------------------------------------------------------

    def field(self, element_id):
        return self.driver.find_element(By.ID, element_id)

    def select(self, element_id):
        return Select(self.field(element_id))

    def labelled(self, text):
        """The field whose label reads `text`, as a screen reader would name it."""
        label = self.driver.find_element(By.XPATH, f'//label[normalize-space()="{text}"]')
        return self.field(label.get_attribute("for"))

    def shown(self, element_id):
        elements = self.driver.find_elements(By.ID, element_id)
        return bool(elements) and elements[0].is_displayed()

    def button(self, name):
        """The button a screen reader announces as `name` (its aria-label, else its text),
        or None; a list re-rendered while it is read is read again."""
        for _ in range(3):
            try:
                for button in self.driver.find_elements(By.TAG_NAME, "button"):
                    label = button.get_attribute("aria-label") or button.text
                    if label == name and button.is_displayed():
                        return button
                return None
            except StaleElementReferenceException:
                continue
        return None

    def press(self, name, *keys):
        """Click the button `name` (or type `keys` on it) once it is there; a button replaced
        by a refresh of its list between finding and clicking is found again."""
        def clicked():
            button = self.button(name)
            if button is None:
                return False
            if keys:
                button.send_keys(*keys)
            else:
                button.click()
            return True

        self.wait_until(clicked, f"a button {name!r}")

    def row(self, list_id, name):
        """The cells' texts of the row named `name` in the table of `list_id`, or None."""
        try:
            for row in self.driver.find_elements(By.CSS_SELECTOR, f"#{list_id} tbody tr"):
                header = row.find_element(By.TAG_NAME, "th")
                if header.text == name:
                    return [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
        except StaleElementReferenceException:
            # The list was re-rendered meanwhile (it refreshes itself): not found this time.
            return None
        return None

    def facts(self):
        """The terms and values of the open machine detail's description list."""
        try:
            terms = self.driver.find_elements(By.CSS_SELECTOR, "#machine-detail dt")
            values = self.driver.find_elements(By.CSS_SELECTOR, "#machine-detail dd")
            return {term.text: value.text for term, value in zip(terms, values)}
        except StaleElementReferenceException:
            return {}  # re-rendered meanwhile: nothing read this time

    def jobs(self):
        """(action, state) of each Job in the open machine detail's Jobs table."""
        try:
            rows = self.driver.find_elements(
                By.XPATH, '//*[@id="machine-detail"]//table[caption="Jobs"]/tbody/tr')
            return [tuple(cell.text for cell in row.find_elements(By.TAG_NAME, "td")[1:3])
                    for row in rows]
        except StaleElementReferenceException:
            return []  # re-rendered meanwhile: nothing read this time

    def cell(self, list_id, name, column):
        """The text of one cell of the row named `name`, None while the row is not there."""
        row = self.row(list_id, name)
        return row[column] if row else None

    def error(self):
        return self.field("error").text if self.shown("error") else ""

    # --- waiting -----------------------------------------------------------------------------

    def wait_until(self, condition, what, timeout=UI_SECONDS):
        """The first true value of `condition()` within `timeout` seconds; a failure names
        `what` was awaited and the error the page shows, if any."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda driver: condition())
        except Exception as failure:
            self.screenshot("timeout")
            raise AssertionError(f"waited {timeout} s for {what}; the page shows error "
                                 f"{self.error()!r}") from failure

    def wait_for_state(self, list_id, name, state, timeout):
        """The row of `name` once its state column (the second) starts with `state`."""
        def reached():
            row = self.row(list_id, name)
            return row if row and row[1].split("\n")[0] == state else None

        return self.wait_until(reached, f"{name} to be {state}", timeout)

    def wait_until_gone(self, list_id, name, timeout):
        """Until the row has stayed away for GONE_SECONDS: a list being re-rendered lacks its
        rows for a moment."""
        absent_since = []

        def gone():
            if self.row(list_id, name) is not None:
                absent_since.clear()
                return False
            absent_since[:] = absent_since or [time.monotonic()]
            return time.monotonic() - absent_since[0] >= GONE_SECONDS

        self.wait_until(gone, f"{name} to be gone", timeout)

    def confirm(self):
        self.wait_until(lambda: self.shown("confirm-dialog"), "the confirmation dialog")
        self.field("confirm-yes").click()

    # --- evidence ----------------------------------------------------------------------------

    def screenshot(self, step):
        self.directory.mkdir(parents=True, exist_ok=True)
        self.steps += 1
        self.driver.save_screenshot(str(self.directory / f"{self.steps:02d}-{step}.png"))

    def script_errors(self):
        """Errors the page's scripts raised (network answers such as a 401 are expected)."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE" and entry.get("source") != "network"]

    def run(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)
