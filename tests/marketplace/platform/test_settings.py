"""Every settings error names its variable in one line; good values load; the secret key is kept."""

from pathlib import Path

import pytest

from marketplace.cli import main
from marketplace.platform.settings import SettingsError, load_settings

GOOD_KEY = "k" * 40


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"DATA_DIR": str(tmp_path / "data"), **values}


@pytest.mark.parametrize(
    ("values", "variable", "fragment"),
    [
        ({"DATABASE_URL": "mysql://u@h/db", "SECRET_KEY": GOOD_KEY}, "DATABASE_URL", "postgresql://"),
        ({"DATABASE_URL": "postgresql:///db", "SECRET_KEY": GOOD_KEY}, "DATABASE_URL", "no host"),
        ({"DATABASE_URL": "postgresql://u@h/db"}, "SECRET_KEY", "required"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY", "at least 32"),
        ({"BASE_URL": "ftp://example"}, "BASE_URL", "http"),
        ({"BASE_URL": "not a url"}, "BASE_URL", "http"),
        ({"DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE", "one of"),
        ({"MEILISEARCH_URL": "localhost:7700"}, "MEILISEARCH_URL", "http"),
        ({"STRIPE_SECRET_KEY": "pk_test_123"}, "STRIPE_SECRET_KEY", "sk_"),
        ({"STRIPE_SECRET_KEY": "sk_test_123"}, "STRIPE_WEBHOOK_SECRET", "required"),
        ({"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "secret"}, "STRIPE_WEBHOOK_SECRET", "whsec_"),
        ({"FRAME_ANCESTORS": "'self'; script-src *"}, "FRAME_ANCESTORS", "space-separated"),
        ({"RUN_INDEXER": "maybe"}, "RUN_INDEXER", "true or false"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, values: dict[str, str], variable: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env(tmp_path, **values))
    assert caught.value.variable == variable
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError) as caught:
        load_settings({"DATA_DIR": str(blocker / "sub")})
    assert caught.value.variable == "DATA_DIR"


def test_embedded_secret_key_is_generated_once(tmp_path: Path) -> None:
    first = load_settings(env(tmp_path))
    second = load_settings(env(tmp_path))
    assert first.embedded and first.database_url is None
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text() == first.secret_key
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_defaults_and_values(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path, DATABASE_URL="postgresql://u:p@db:5432/m", SECRET_KEY=GOOD_KEY,
                                 BASE_URL="https://market.example.vn/", DEFAULT_LOCALE="en",
                                 STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_y"))
    assert not settings.embedded
    assert settings.base_url == "https://market.example.vn"
    assert settings.secure_cookies
    assert settings.default_locale == "en"
    assert settings.stripe_webhook_secret == "whsec_y"
    plain = load_settings(env(tmp_path))
    assert plain.base_url == "http://127.0.0.1:8000" and not plain.secure_cookies
    assert plain.default_locale == "vi" and plain.meilisearch_url is None


def test_command_line_prints_one_line_and_no_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "SECRET_KEY" in err and "Traceback" not in err
