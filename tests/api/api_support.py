"""Names the API tests share (a module of its own: `conftest` is not importable by name)."""
CIMI = "http://schemas.dmtf.org/cimi/1/"
ACTION = CIMI + "action/"
