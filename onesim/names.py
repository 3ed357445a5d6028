"""oned's rules for object names (PoolObjectSQL::name_is_valid, User::INVALID_NAME_CHARS).

Characters are checked before the length, and the length counts UTF-8 bytes: oned measures
a std::string, so 100 × "é" (200 bytes) is too long.
"""
INVALID_CHARACTERS = "&|:\\\";/'#{}$<>\t\n\v\f\r"
USER_INVALID_CHARACTERS = " :\t\n\v\f\r"
MAX_NAME_BYTES = 128


def name_error(name, extra_invalid=""):
    """oned's complaint about `name` (without final period), or None when it is valid."""
    if not name:
        return "Invalid NAME, it cannot be empty"
    invalid = INVALID_CHARACTERS + extra_invalid
    refused = next((character for character in name if character in invalid), None)
    if refused is not None:
        return f"Invalid NAME, char '{refused}' is not allowed"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"Invalid NAME, max length is {MAX_NAME_BYTES} chars"
    return None


def too_long(name):
    return len(name.encode("utf-8")) > MAX_NAME_BYTES
