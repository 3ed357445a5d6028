"""`python -m app.admin install-instance-types` against a fresh emulator of its own."""
import pytest

from app import admin, create_app
from app.one import gateway_for
from app.one.documents import MACHINE_CONFIGURATION
from support import lanes


@pytest.fixture
def fresh_onesim(monkeypatch):
    if lanes.REAL:
        pytest.skip(lanes.EMULATOR_ONLY)
    from onesim.testing import FAST_SPEED, running_onesim

    with running_onesim(seed="demo", speed=FAST_SPEED) as server:
        monkeypatch.setenv("ONE_XMLRPC", server.endpoint)
        monkeypatch.setenv("ONE_AUTH", str(server.data_dir / "one_auth"))
        yield server


def configurations(server):
    application = create_app({"ONE_XMLRPC": server.endpoint})
    with application.app_context():
        return gateway_for(server.admin_session).document_page(MACHINE_CONFIGURATION).items


def test_installs_once_for_everybody(fresh_onesim, capsys):
    assert admin.main(["install-instance-types"]) == 0
    assert "m1.small" in capsys.readouterr().out
    installed = configurations(fresh_onesim)
    assert sorted(document.name for document in installed) == [
        "c1.medium", "c1.xlarge", "m1.large", "m1.small", "m1.xlarge", "t1.micro"]
    assert all(document.owner.uname == "oneadmin" and document.permissions.other_use
               for document in installed)
    assert admin.main(["install-instance-types"]) == 0
    assert "already installed" in capsys.readouterr().out
    assert configurations(fresh_onesim) == installed


def test_a_failure_halfway_leaves_no_document(fresh_onesim, capsys):
    fresh_onesim.fail_next("one.document.chmod")
    assert admin.main(["install-instance-types"]) == 1
    assert "failed" in capsys.readouterr().err
    assert configurations(fresh_onesim) == ()


def test_wrong_session(fresh_onesim, capsys):
    assert admin.main(["install-instance-types", "--session", "oneadmin:wrong"]) == 1
    assert "user name or password is not accepted" in capsys.readouterr().err
