"""The web console in a real headless browser: the StratusLab guide's day-to-day work (sign
in, launch, stop and start a machine, hot-plug a volume, register an image, delete it all),
its error paths, a phone-width screen and the keyboard. Each test makes its own objects
(named with its token) and its `leftovers` fixture removes what a failure left."""
import pytest
import requests

pytest.importorskip("selenium", reason="selenium is not installed (requirements-dev.txt)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from support.lanes import STATE_WAIT_SECONDS  # noqa: E402

IMAGE = "ttylinux"
GIB_KIB = 1024 * 1024
INSTANCE_TYPE = "m1.small"
PHONE = (390, 844)
# How the server begins the reason of a machine the scheduler cannot place.
WAITING = "Waiting to be scheduled: "
# Markers set on the page's window: still there after a refresh means no full-page reload.
UNRELOADED = "window.consoleNotReloaded = true"
STILL_UNRELOADED = "return window.consoleNotReloaded === true"


def launch(console, name, **choices):
    """Fill in and submit the launch dialog: ttylinux, m1.small, and `choices` (element id
    suffix -> value; `volume`: the volume's label and the choice for it)."""
    console.press("Launch machines")
    console.wait_until(lambda: console.shown("launch-dialog"), "the launch dialog")
    console.field("launch-name").send_keys(name)
    console.field("launch-image-search").send_keys(IMAGE)
    console.wait_until(lambda: [option.text for option in console.select("launch-image").options]
                       == [IMAGE], "the image list filtered to ttylinux")
    type_option = next(option for option in console.select("launch-type").options
                       if option.text.startswith(INSTANCE_TYPE + ":"))
    console.select("launch-type").select_by_visible_text(type_option.text)
    for suffix, value in choices.items():
        if suffix == "volume":  # (the volume's label, the choice)
            label, value = value
            field = console.labelled(label)
        else:
            field = console.field(f"launch-{suffix}")
        if field.tag_name == "select":
            Select(field).select_by_visible_text(value)
        else:
            field.clear()
            field.send_keys(value)
    console.screenshot("launch-dialog")
    console.driver.find_element(By.CSS_SELECTOR, "#launch-form button[type=submit]").click()
    console.wait_until(lambda: not console.shown("launch-dialog"), "the launch dialog to close")


def started_machine(api, name):
    """A machine made through the API, once STARTED: the set-up of tests about something else."""
    image = api.members("machineImages", {"$filter": f"name='{IMAGE}'"})[0]
    config = api.members("machineConfigs", {"$filter": f"name='{INSTANCE_TYPE}'"})[0]
    answer = api.create("machines", {"name": name, "machineTemplate": {
        "machineImage": {"href": image["id"]}, "machineConfig": {"href": config["id"]}}})
    return api.wait_for_state(answer.location, {"STARTED"}, STATE_WAIT_SECONDS)


def test_sign_in_keeps_credentials_in_page_memory_and_sign_out_forgets_them(console, credentials):
    user, password = credentials
    console.screenshot("sign-in")
    console.signed_in(user, password)
    assert console.field("signed-in-as").text == f"Signed in as {user}"
    assert password not in console.driver.current_url
    assert console.run("return window.localStorage.length + window.sessionStorage.length") == 0
    assert console.run("return document.cookie") == ""
    console.screenshot("machines")
    console.press("Sign out")
    console.wait_until(lambda: console.shown("sign-in-form"), "the sign-in form")
    assert not console.shown("nav") and not console.shown("machines-page")
    assert console.field("password").get_attribute("value") == ""
    console.screenshot("signed-out")


def test_wrong_password_shows_the_servers_message(console, console_server, credentials):
    user, _ = credentials
    refusal = requests.get(console_server.replace("cloudEntryPoint", "machines"),
                           auth=(user, "not-the-password"), timeout=30)
    assert refusal.status_code == 401
    console.sign_in(user, "not-the-password")
    console.wait_until(console.error, "an error message")
    assert console.error() == refusal.json()["message"]
    assert console.shown("sign-in-form") and not console.shown("machines-page")
    console.screenshot("wrong-password")


def test_launch_watch_started_stop_start_and_delete(console, credentials, api, token, leftovers):
    console.signed_in(*credentials)
    console.run(UNRELOADED)
    name = f"{token}-vm"
    launch(console, name)
    console.screenshot("launched")
    row = console.wait_for_state("machine-list", name, "STARTED", STATE_WAIT_SECONDS)
    assert row[2] == "1" and row[3] == "128 MB"  # m1.small: 1 CPU, 128 MB
    assert row[4] != "-"  # its IP address
    assert console.run(STILL_UNRELOADED), "the list refreshed by reloading the page"
    console.screenshot("started")

    console.press(f"Details of {name}")
    console.wait_until(lambda: "Machine " + name in console.field("machine-detail").text,
                       "the machine's detail")
    detail = console.field("machine-detail").text
    for part in ("Disks", "Volumes", "Network interfaces", "Events", "Jobs", IMAGE):
        assert part in detail
    facts = console.wait_until(console.facts, "the machine's facts")
    assert facts["State"] == "STARTED" and facts["Memory"] == "128 MB" and facts["Host"]
    assert "Why" not in facts
    console.screenshot("detail")

    console.press(f"Stop {name}")
    console.confirm()
    console.wait_for_state("machine-list", name, "STOPPED", STATE_WAIT_SECONDS)
    console.wait_until(lambda: "stop" in console.field("machine-detail").text,
                       "the stop Job in the detail")
    # The detail is rendered just after the list: its buttons follow a moment later.
    console.wait_until(lambda: console.button(f"Stop {name}") is None
                       and console.button(f"Start {name}"), "Start offered instead of Stop")
    console.screenshot("stopped")
    console.press(f"Start {name}")
    console.wait_for_state("machine-list", name, "STARTED", STATE_WAIT_SECONDS)
    console.screenshot("started-again")

    console.press(f"Delete {name}")
    console.confirm()
    console.wait_until_gone("machine-list", name, STATE_WAIT_SECONDS)
    console.wait_until(lambda: not [machine for machine in api.members("machines")
                                    if machine.get("name") == name],
                       "the machine gone from the API too", STATE_WAIT_SECONDS)
    assert console.run(STILL_UNRELOADED)
    console.screenshot("deleted")


def test_launch_dialog_sends_overrides_count_key_user_data_volumes_and_volatile_disk(
        console, credentials, api, token, leftovers):
    key = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM6YS7PiP/ny8Gs13vXpGJauxda6GuDzrVSv5CTN+rgv "
           "alice@laptop")
    api.create("credentials", {"name": f"{token}-key", "credentialTemplate": {"publicKey": key}})
    dataset = api.create("volumes", {"name": f"{token}-data", "shareable": True, "volumeTemplate": {
        "volumeConfig": {"capacity": GIB_KIB, "format": "raw"}}}).location
    api.wait_for_state(dataset, {"AVAILABLE"}, STATE_WAIT_SECONDS)
    console.signed_in(*credentials)
    launch(console, f"{token}-m", cpu="2", memory="256", count="2", key=f"{token}-key",
           **{"user-data": "#cloud-config\nhostname: web", "volatile": "1",
              "volume": (f"{token}-data (AVAILABLE)", "attached read-only")})
    for number in (1, 2):
        console.wait_until(lambda: console.row("machine-list", f"{token}-m-{number}"),
                           f"machine {number} in the list")
    machines = [machine for machine in api.members("machines")
                if machine.get("name", "").startswith(f"{token}-m-")]
    assert len(machines) == 2
    for machine in machines:
        assert machine["cpu"] == 2 and machine["memory"] == 256 * 1024
        scratch = [disk for disk in api.members(machine["disks"]["href"]) if disk.get("volatile")
                   and disk.get("format") == "raw"]
        assert [disk["capacity"] for disk in scratch] == [GIB_KIB]
        (attached,) = api.members(machine["volumes"]["href"])
        assert attached["volume"]["href"] == dataset and attached["readOnly"] is True
    assert api.get(dataset)["users"] == 2
    console.screenshot("launched-two")


def test_volume_create_hot_plug_detach_and_delete(console, credentials, api, token, leftovers):
    machine = started_machine(api, f"{token}-host")
    console.signed_in(*credentials)
    console.go("volumes")
    name = f"{token}-disk"
    console.field("volume-name").send_keys(name)
    console.field("volume-size").clear()
    console.field("volume-size").send_keys("2")
    console.field("volume-public").click()
    console.driver.find_element(By.CSS_SELECTOR, "#volume-form button[type=submit]").click()
    row = console.wait_for_state("volume-list", name, "AVAILABLE", STATE_WAIT_SECONDS)
    user, _ = credentials
    assert row[2:7] == ["2 GiB", user, "public", "no", "0"]
    console.screenshot("created")

    console.press(f"Attach {name}")
    console.wait_until(lambda: console.shown("attach-dialog"), "the attach dialog")
    console.select("attach-machine").select_by_value(machine["id"])
    console.screenshot("attach-dialog")
    console.driver.find_element(By.CSS_SELECTOR, "#attach-dialog button[type=submit]").click()
    console.wait_until(lambda: console.cell("volume-list", name, 6) == "1",
                       "the volume to be used by one machine", STATE_WAIT_SECONDS)
    console.screenshot("attached")

    console.go("machines")
    console.press(f"Details of {token}-host")
    console.press(f"Detach volume {name}")
    console.confirm()
    console.wait_until(lambda: console.button(f"Detach volume {name}") is None,
                       "the volume to leave the machine", STATE_WAIT_SECONDS)
    console.screenshot("detached")

    console.go("volumes")
    console.wait_until(lambda: console.cell("volume-list", name, 6) == "0",
                       "the volume to be free", STATE_WAIT_SECONDS)
    console.press(f"Delete {name}")
    console.confirm()
    console.wait_until_gone("volume-list", name, STATE_WAIT_SECONDS)
    console.screenshot("deleted")


def test_another_users_public_volume_can_be_attached_but_not_deleted(console, credentials,
                                                                     other_api, token):
    shared = other_api.create("volumes", {"name": f"{token}-theirs", "visibility": "public",
                                          "volumeTemplate": {"volumeConfig": {
                                              "capacity": GIB_KIB, "format": "raw"}}}).location
    try:
        console.signed_in(*credentials)
        console.go("volumes")
        name = f"{token}-theirs"
        row = console.wait_for_state("volume-list", name, "AVAILABLE", STATE_WAIT_SECONDS)
        assert row[3:5] == [other_api.http.auth[0], "public"]
        assert console.button(f"Attach {name}") and console.button(f"Delete {name}") is None
        console.screenshot("theirs")
    finally:
        other_api.wait_for_state(shared, {"AVAILABLE"}, STATE_WAIT_SECONDS)
        other_api.delete({"id": shared})


def test_restart_suspend_start_snapshot_and_capture(console, credentials, api, token, leftovers):
    name = f"{token}-vm"
    started_machine(api, name)
    console.signed_in(*credentials)
    console.press(f"Details of {name}")
    console.wait_until(console.facts, "the machine's detail")

    console.press(f"Restart {name}")
    console.confirm()
    console.wait_until(lambda: ("restart", "SUCCESS") in console.jobs(), "the restart Job to succeed",
                       STATE_WAIT_SECONDS)
    console.wait_for_state("machine-list", name, "STARTED", STATE_WAIT_SECONDS)
    console.press(f"Suspend {name}")
    console.confirm()
    console.wait_for_state("machine-list", name, "SUSPENDED", STATE_WAIT_SECONDS)
    console.screenshot("suspended")
    console.press(f"Start {name}")
    console.wait_for_state("machine-list", name, "STARTED", STATE_WAIT_SECONDS)

    console.press(f"Snapshot {name}")
    console.wait_until(lambda: console.shown("ask-dialog"), "the snapshot's name")
    console.field("ask-value").send_keys(Keys.ENTER)  # the name offered
    console.wait_until(lambda: ("snapshot", "SUCCESS") in console.jobs(),
                       "the snapshot Job to succeed", STATE_WAIT_SECONDS)
    console.screenshot("snapshot")

    console.wait_for_state("machine-list", name, "STARTED", STATE_WAIT_SECONDS)
    console.press(f"Capture {name}")
    console.wait_until(lambda: console.shown("ask-dialog"), "the image's name")
    console.field("ask-value").clear()
    console.field("ask-value").send_keys(f"{token}-captured", Keys.ENTER)
    console.wait_until(lambda: ("capture", "SUCCESS") in console.jobs(),
                       "the capture Job to succeed", STATE_WAIT_SECONDS)
    console.go("images")
    console.wait_for_state("image-list", f"{token}-captured", "AVAILABLE", STATE_WAIT_SECONDS)
    console.screenshot("captured")


def test_register_find_and_delete_an_image(console, credentials, api, token, leftovers):
    console.signed_in(*credentials)
    console.go("images")
    name = f"{token}-image"
    console.field("image-url").send_keys("https://marketplace.example.org/images/base.qcow2")
    console.field("image-name").send_keys(name)
    console.driver.find_element(By.CSS_SELECTOR, "#image-form button[type=submit]").click()
    console.wait_for_state("image-list", name, "AVAILABLE", STATE_WAIT_SECONDS)
    console.screenshot("registered")

    console.field("image-filter").send_keys(token)
    console.wait_until(lambda: len(console.driver.find_elements(
        By.CSS_SELECTOR, "#image-list tbody tr")) == 1, "only the new image listed")
    assert console.row("image-list", IMAGE) is None
    console.screenshot("found")

    console.press(f"Delete {name}")
    console.confirm()
    console.wait_until(lambda: console.cell("image-list", name, 1) in (None, "DELETING"),
                       "the image to be deleted", STATE_WAIT_SECONDS)
    console.screenshot("deleted")


def test_credentials_add_choose_default_and_delete(console, credentials, token, leftovers):
    console.signed_in(*credentials)
    console.go("credentials")
    keys = {
        f"{token}-a": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM6YS7PiP/ny8Gs13vXpGJauxda6GuDzrVSv5CTN+rgv a@x",
        f"{token}-b": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIM6YS7PiP/ny8Gs13vXpGJauxda6GuDzrVSv5CTN+rgv b@x",
    }
    for name, key in keys.items():
        console.field("credential-name").send_keys(name)
        console.field("credential-key").send_keys(key)
        if name.endswith("-a"):
            console.field("credential-default").click()
        console.driver.find_element(By.CSS_SELECTOR, "#credential-form button[type=submit]").click()
        console.wait_until(lambda: console.row("credential-list", name), f"key {name} listed")
    assert console.cell("credential-list", f"{token}-a", 2) == "default"
    console.press(f"Make {token}-b the default key")
    console.wait_until(lambda: console.cell("credential-list", f"{token}-b", 2) == "default",
                       "b to be the default")
    assert console.cell("credential-list", f"{token}-a", 2) == ""
    console.screenshot("default-chosen")
    for name in keys:
        console.press(f"Delete {name}")
        console.confirm()
        console.wait_until(lambda: console.row("credential-list", name) is None, f"{name} gone")


def test_a_refused_action_shows_the_servers_message(console, credentials, api, token, leftovers):
    """The page offers Stop for the machine it last saw STARTED; meanwhile the machine was
    stopped elsewhere, so the server refuses, and its message is shown as it is."""
    name = f"{token}-vm"
    machine = started_machine(api, name)
    console.signed_in(*credentials)
    console.wait_for_state("machine-list", name, "STARTED", STATE_WAIT_SECONDS)
    api.settle(api.act(machine, "stop"), STATE_WAIT_SECONDS, {"STOPPED"}, machine["id"])
    user, password = credentials
    refusal = requests.post(machine["id"], auth=(user, password), timeout=30, json={
        "action": "http://schemas.dmtf.org/cimi/1/action/stop"})
    assert refusal.status_code == 409
    console.press(f"Stop {name}")
    console.confirm()
    console.wait_until(console.error, "an error message")
    assert console.error() == refusal.json()["message"]
    console.screenshot("refused")
    console.wait_for_state("machine-list", name, "STOPPED", STATE_WAIT_SECONDS)


def test_phone_width_shows_every_page_without_sideways_scrolling(console, credentials):
    console.driver.set_window_size(*PHONE)
    console.signed_in(*credentials)
    for page in ("machines", "volumes", "images", "credentials"):
        console.go(page)
        width = console.run("return document.documentElement.scrollWidth")
        assert width <= console.run("return window.innerWidth"), f"{page} scrolls sideways"
        console.screenshot(f"phone-{page}")
    console.go("machines")
    console.press("Launch machines")
    console.wait_until(lambda: console.shown("launch-dialog"), "the launch dialog")
    dialog_width = console.run("return document.getElementById('launch-dialog')"
                               ".getBoundingClientRect().width")
    assert dialog_width <= PHONE[0]
    console.screenshot("phone-launch")


def test_every_field_has_a_label_and_forms_work_from_the_keyboard(console, credentials, token,
                                                                  leftovers):
    unlabelled = console.run("""
        return [...document.querySelectorAll('input, select, textarea')]
            .filter((field) => field.labels.length === 0 && !field.getAttribute('aria-label'))
            .map((field) => field.id);""")
    assert unlabelled == []
    # Sign in with the keyboard alone: focus, type, Tab, type, Enter.
    user, password = credentials
    console.field("username").click()
    active = console.driver.switch_to.active_element
    active.send_keys(user, Keys.TAB)
    console.driver.switch_to.active_element.send_keys(password, Keys.ENTER)
    console.wait_until(lambda: console.shown("machines-page"), "the machines page")
    # Create a volume: Enter in the form submits it; Enter on its Delete button asks, and
    # Escape cancels the question.
    console.go("volumes")
    name = f"{token}-keys"
    console.field("volume-name").send_keys(name, Keys.ENTER)
    console.wait_until(lambda: console.row("volume-list", name), "the volume listed",
                       STATE_WAIT_SECONDS)
    console.press(f"Delete {name}", Keys.ENTER)
    console.wait_until(lambda: console.shown("confirm-dialog"), "the confirmation dialog")
    console.screenshot("confirm-by-keyboard")
    console.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    console.wait_until(lambda: not console.shown("confirm-dialog"), "the dialog to close")
    console.wait_until(lambda: console.row("volume-list", name), "the volume still listed")
    console.press(f"Delete {name}", Keys.ENTER)
    console.wait_until(lambda: console.shown("confirm-dialog"), "the confirmation dialog")
    console.field("confirm-yes").send_keys(Keys.ENTER)
    console.wait_until_gone("volume-list", name, STATE_WAIT_SECONDS)



def test_a_machine_no_host_can_take_shows_why_it_waits(console, credentials, token, leftovers):
    """More memory than any test cloud's host has (16 GiB): the scheduler's reason, which the
    server gives as the machine's statusMessage, is shown in the list and in the detail."""
    console.signed_in(*credentials)
    name = f"{token}-big"
    launch(console, name, memory=str(64 * 1024))

    def waiting():
        row = console.row("machine-list", name)
        return row if row and WAITING in row[1] else None

    state, reason = console.wait_until(waiting, "the scheduler's reason",
                                       STATE_WAIT_SECONDS)[1].split("\n")
    assert state == "CREATING" and "Cannot" in reason
    console.screenshot("waiting")
    console.press(f"Details of {name}")
    facts = console.wait_until(console.facts, "the machine's detail")
    assert facts["State"] == "CREATING" and facts["Why"].startswith(WAITING)
    console.screenshot("detail")
