"""Start-up explains itself: one line naming the cause, exit code 2, nothing served; --version; plain progress."""

import io
from pathlib import Path

import pytest

from marketplace import cli
from tests.browser import free_port

GOOD_KEY = "k" * 40


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("DATABASE_URL", "SECRET_KEY", "BASE_URL", "PAYMENT_EXPIRY_MINUTES", "PLATFORM_FEE_BPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    assert "serving" not in out and "running" not in out
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_unreachable_database_is_one_line_before_serving(environment, capsys) -> None:
    environment.setenv("DATABASE_URL", f"postgresql://app:secret@127.0.0.1:{free_port()}/market")
    environment.setenv("SECRET_KEY", GOOD_KEY)
    line = _refused(capsys, ["serve", "--port", str(free_port())])
    assert line.startswith("marketplace: DATABASE_URL: cannot connect to 127.0.0.1:")
    assert "secret" not in line  # the password is never printed


def test_worker_with_unreachable_database_is_one_line(environment, capsys) -> None:
    environment.setenv("DATABASE_URL", f"postgresql://app@127.0.0.1:{free_port()}/market")
    environment.setenv("SECRET_KEY", GOOD_KEY)
    assert "DATABASE_URL: cannot connect" in _refused(capsys, ["worker"])


@pytest.mark.parametrize("value", ["soon", "0", "99999999"])
def test_bad_payment_setting_stops_start_up(environment, capsys, value: str) -> None:
    environment.setenv("PAYMENT_EXPIRY_MINUTES", value)
    line = _refused(capsys, ["serve", "--port", str(free_port())])
    assert line.startswith("marketplace: configuration error: PAYMENT_EXPIRY_MINUTES: ")


def test_missing_secret_with_external_database(environment, capsys) -> None:
    environment.setenv("DATABASE_URL", "postgresql://app@127.0.0.1:5432/market")
    line = _refused(capsys, ["serve"])
    assert line.startswith("marketplace: configuration error: SECRET_KEY: is required")


def test_every_address_needs_a_public_url(environment, capsys) -> None:
    line = _refused(capsys, ["serve", "--host", "0.0.0.0"])
    assert "BASE_URL" in line and "0.0.0.0" in line


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("marketplace ") and out.strip().split()[-1][0].isdigit()


def test_progress_is_plain_lines_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()  # not a terminal, like a log file or a pipe
    monkeypatch.setattr("sys.stderr", stream)
    report = cli._progress("reindex")
    for done in range(0, 1001, 50):
        report(done, 1000)
    report(7, None)
    text = stream.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "reindex 0/1000" and "reindex 1000/1000" in lines and lines[-1] == "reindex 7"
    assert len(lines) == 12  # one per tenth, not one per batch
