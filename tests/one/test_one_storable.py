"""The one rule for names and the lossless storage of values oned cannot keep
(`app.one.storable`), checked against what oned 7.0.2 refuses (`PoolObjectSQL::name_is_valid`,
its CDATA and its XML-RPC library)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.one.storable import (
    ENCODED, FORBIDDEN_NAME_CHARACTERS, NAME_MAX_BYTES, fitted_name, is_valid_name,
    name_problem, normal_name, read_value, stored_value, unstorable_part,
)


@pytest.mark.parametrize("char", list(FORBIDDEN_NAME_CHARACTERS))
def test_each_character_oned_refuses_is_refused_and_named(char):
    problem = name_problem(f"web{char}1")
    assert problem is not None
    assert "& | : \\ \" ; / ' # { } $ < >" in problem
    assert "tab, newline" in problem


def test_the_forbidden_characters_are_oneds():
    assert set(FORBIDDEN_NAME_CHARACTERS) == set("&|:\\\";/'#{}$<>\t\n\v\f\r")


@pytest.mark.parametrize("name", [
    "web 1", "a(b)", "a%b*c`d=e,f[g]!@~?+", " leading", "é" * 64, "a" * NAME_MAX_BYTES,
    "日本" * 21, "x"])
def test_names_oned_accepts(name):
    assert name_problem(name) is None
    assert is_valid_name(name)


def test_the_limit_is_in_bytes():
    assert is_valid_name("a" * 128)
    assert "129" in name_problem("a" * 129)
    assert is_valid_name("é" * 64)            # 128 bytes
    assert "130" in name_problem("é" * 65)    # 65 characters, 130 bytes
    assert "299" in name_problem("é" * 100 + "日" * 33)


@pytest.mark.parametrize("name, reason", [
    ("", "empty"), ("a\x01b", "control"), ("a\x7fb", "control"),
    ("rocket \U0001F680", "Basic Multilingual Plane"), ("a]]>b", "must not contain '>'")])
def test_other_names_oned_cannot_take(name, reason):
    assert reason in name_problem(name)


def test_trailing_white_space_is_trimmed_like_oned():
    assert normal_name("web  \t") == "web"
    assert normal_name("  web") == "  web"
    assert normal_name("   ") == ""


def test_fitted_names_keep_the_suffix_and_whole_characters():
    assert fitted_name("web", "-x") == "web-x"
    long = fitted_name("é" * 100, "-20260101-000000")
    assert long.endswith("-20260101-000000") and is_valid_name(long)
    assert len(long.encode()) <= NAME_MAX_BYTES
    assert long.startswith("é" * 56)
    assert fitted_name("a" * 200) == "a" * 128
    assert fitted_name("web " * 40).endswith("web")


@pytest.mark.parametrize("text, part", [
    ("a]]>b", "]]>"), ("\U0001F680", "\U0001F680"), ("a]]b>", None), ("é日", None)])
def test_unstorable_parts(text, part):
    assert unstorable_part(text) == part


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))) | st.lists(st.sampled_from(
    ["]]>", "]", ">", "%", "25", "%cimi%", "\U0001F680", "é", "%F0"])).map("".join))
def test_values_round_trip_and_are_storable(text):
    stored = stored_value(text)
    assert unstorable_part(stored) is None
    assert read_value(stored) == text


def test_values_oned_can_store_are_stored_as_they_are():
    for text in ("plain", "50% off", "a]] >", "é日本", ""):
        assert stored_value(text) == text


def test_a_value_looking_encoded_is_encoded_too():
    assert stored_value(ENCODED + "x") != ENCODED + "x"
    assert read_value(stored_value(ENCODED + "x")) == ENCODED + "x"


def test_a_hand_edited_value_that_does_not_decode_is_read_as_it_is():
    assert read_value(ENCODED + "%FF") == ENCODED + "%FF"
