"""The helpers every service renders documents with: the same text whichever way they take."""
from datetime import datetime, timezone

import pytest

from app.services.links import Links
from app.services.rendering import iso_time, without_empty


def datetime_text(epoch_seconds):
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("epoch_seconds", [
    1, -1, 1796472299, 951782400, 4102444800, -62135596800, 253402300799, 1.9999999, -1.5,
    True])
def test_iso_time_writes_what_datetime_writes(epoch_seconds):
    assert iso_time(epoch_seconds) == datetime_text(epoch_seconds)


@pytest.mark.parametrize("epoch_seconds", [-62135596801, 253402300800, float("nan")])
def test_iso_time_refuses_what_datetime_refuses(epoch_seconds):
    with pytest.raises(ValueError):
        iso_time(epoch_seconds)


def test_iso_time_of_no_time_is_none():
    assert iso_time(0) is None


def test_without_empty_leaves_out_none_and_empty_text_lists_and_maps_only():
    document = {"a": None, "b": "", "c": [], "d": {}, "e": 0, "f": False, "g": 0.0, "h": (),
                "i": "x", "j": [None], "k": {"": None}}
    assert without_empty(document) == {"e": 0, "f": False, "g": 0.0, "h": (), "i": "x",
                                       "j": [None], "k": {"": None}}
    assert list(without_empty(document)) == ["e", "f", "g", "h", "i", "j", "k"]


def test_hrefs_join_segments_of_any_type():
    assert Links("http://h/cimi/").href("machines", 7, "disks") == "http://h/cimi/machines/7/disks"
