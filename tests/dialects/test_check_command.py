"""`opsdesk check` against each mount: a real process, the credential in an environment variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from app.api.dialects import dialect_for
from app.core.platform_connect import pack_credentials
from tests.dialects.conftest import dialect_section, sandbox_root


def _run(args: list[str], secret: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHECK_KEY": secret}
    return subprocess.run([sys.executable, "-m", "app", "check", "--key-env", "CHECK_KEY", *args],
                          check=False, capture_output=True, text=True, env=env, timeout=60)


def _secret(section: dict, name: str) -> str:
    fields = [field for field, _ in dialect_for(name).credential_fields]
    return pack_credentials({field: section[field] for field in fields if field in section})


def test_check_prints_the_platforms_manifest_and_identity(sandbox, dialect_name):
    section = dialect_section(sandbox, dialect_name)
    url = sandbox_root(sandbox) + section["base_url"]
    secret = _secret(section, dialect_name)
    done = _run(["--url", url, "--platform", dialect_name], secret)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["platform"] == dialect_name
    assert report["manifest"] == dialect_for(dialect_name).manifest.to_json()
    assert report["identity"]["workspace_id"] == sandbox.credentials()["live"]["workspace_id"]
    assert secret not in done.stdout + done.stderr


def test_check_detects_the_platform_when_none_is_named(sandbox, dialect_name):
    section = dialect_section(sandbox, dialect_name)
    url = sandbox_root(sandbox) + section["base_url"]
    done = _run(["--url", url], _secret(section, dialect_name))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["platform"] == dialect_name and report["detected"] is True


def test_check_with_a_wrong_key_exits_1_with_the_reason(sandbox):
    done = _run(["--url", sandbox.url, "--platform", "opsdesk"], "opk_live_" + "x" * 40)
    assert done.returncode == 1
    assert "401" in done.stderr and "x" * 40 not in done.stderr


def test_check_without_the_variable_says_which_one(sandbox):
    env = {k: v for k, v in os.environ.items() if k != "NOPE_KEY"}
    done = subprocess.run([sys.executable, "-m", "app", "check", "--url", sandbox.url, "--key-env", "NOPE_KEY"],
                          check=False, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "NOPE_KEY" in done.stderr
