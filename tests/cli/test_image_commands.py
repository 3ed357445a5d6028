"""The `cimi` image commands against gunicorn and onesim: register an image from a URL, capture
a machine's disk, and the guide's `--save` then `shutdown-instance` (chapter 8.2.2)."""
import re

from cimi_client.client import short_id

QUIET_LINE = re.compile(r"^(\d+), (\d+\.\d+\.\d+\.\d+)$")


def images(cloud):
    return {short_id(image["id"]): image for image in cloud.client().members("machineImages")}


def launch(cimi, *arguments, image="ttylinux"):
    run = cimi("run-instance", "-q", "--wait", *arguments, image)
    assert run.returncode == 0, run.stderr
    return QUIET_LINE.match(run.stdout.strip()).group(1)


def test_register_image_from_a_url(cimi, cloud):
    registered = cimi("register-image", "--wait", "--name", "flora-and-fauna",
                      "https://images.example.org/flora.iso.gz")
    assert registered.returncode == 0, registered.stderr
    image_id = re.match(r"^IMAGE (\d+)$", registered.stdout.strip()).group(1)
    image = images(cloud)[image_id]
    assert (image["name"], image["state"]) == ("flora-and-fauna", "AVAILABLE")
    found = cimi("describe-images", "-q", "--filter", "name='flora-and-fauna'")
    assert found.lines == [image_id]


def test_capture_instance_makes_an_image_that_machines_run(cimi, cloud):
    machine_id = launch(cimi)
    captured = cimi("capture-instance", "-q", "--image-name", "captured-web", machine_id)
    assert captured.returncode == 0, captured.stderr
    (image_id,) = captured.lines
    assert images(cloud)[image_id]["name"] == "captured-web"
    copy_id = launch(cimi, "--name", "from-capture", image=image_id)
    assert cimi("kill-instance", "--wait", machine_id, copy_id).returncode == 0


def test_save_then_shutdown_keeps_the_disk_as_an_image(cimi, cloud):
    machine_id = launch(cimi, "--save", "--name", "builder")
    shut = cimi("shutdown-instance", machine_id)
    assert shut.returncode == 0, shut.stderr
    image_id = re.match(rf"^CAPTURED {machine_id} as image (\d+)$", shut.stdout.strip()).group(1)
    assert images(cloud)[image_id]["name"] == "builder-capture"
    (machine,) = [member for member in cloud.client().members("machines")
                  if short_id(member["id"]) == machine_id]
    assert machine["state"] == "STOPPED"
    assert cimi("kill-instance", "--wait", machine_id).returncode == 0


def test_shutdown_without_save_makes_no_image(cimi, cloud):
    machine_id = launch(cimi)
    before = set(images(cloud))
    shut = cimi("shutdown-instance", "--wait", machine_id)
    assert (shut.returncode, shut.stdout) == (0, "")
    assert set(images(cloud)) == before
    assert cimi("kill-instance", "--wait", machine_id).returncode == 0
