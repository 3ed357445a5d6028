"""The Idempotency-Key header's syntax: a Structured Field String, or a bare token."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import BadRequest
from app.protocol.idempotency import MAX_KEY_LENGTH, parsed_key

PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                    max_size=MAX_KEY_LENGTH)


@pytest.mark.parametrize("value, key", [
    ('"abc"', "abc"),
    ('"a b"', "a b"),
    ('"say \\"hi\\""', 'say "hi"'),
    ('"back\\\\slash"', "back\\slash"),
    ("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"),
    ("a.b_c~d+e/f=g:h", "a.b_c~d+e/f=g:h"),
])
def test_keys_are_read_as_the_draft_writes_them(value, key):
    assert parsed_key(value) == key


@pytest.mark.parametrize("value", [
    '"open', '"a"b', '"a\\nb"', '"tab\there"', '"caf\u00e9"', "two words", "a,b", "caf\u00e9",
    '"a"  "b"',
])
def test_anything_else_is_refused(value):
    with pytest.raises(BadRequest, match="Idempotency-Key"):
        parsed_key(value)


@given(PRINTABLE)
def test_every_printable_key_survives_quoting(key):
    quoted = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    assert parsed_key(quoted) == key
