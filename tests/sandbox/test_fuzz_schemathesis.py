"""Fuzz every operation of the served OpenAPI document with schemathesis against a real sandbox
process, authenticated as the workspace owner: no 5xx, every answer matches the schema it declares.

The credential is the owner's user access token (every scope), not the owner API key: schemathesis
reuses ids it has seen in answers, so it finds the owner key in `GET /api-keys` and revokes or
rotates it, and the rest of the run would only test the 401 path. No API call can revoke a user
sign-in other than by refresh-token reuse, which the fuzzer cannot stage.

The run is schemathesis's own CLI (its coverage phase touches every operation with boundary and
invalid values, then property-based fuzzing spends the time budget), bounded by
OPSDESK_FUZZ_SECONDS (default 100) and OPSDESK_FUZZ_EXAMPLES per operation (default 10). The
stateful phase is left out to keep the budget on bad input rather than multi-step scenarios.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.core.sandbox_process import SandboxProcess

FUZZ_SECONDS = os.environ.get("OPSDESK_FUZZ_SECONDS", "100")
FUZZ_EXAMPLES = os.environ.get("OPSDESK_FUZZ_EXAMPLES", "10")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


@pytest.mark.slow
def test_fuzzing_every_operation_finds_no_5xx_and_no_schema_violation(tmp_path: Path) -> None:
    process = SandboxProcess.start(tmp_path / "data", seed_size=30, rate_limit=1_000_000)
    try:
        login = process.credentials()["live"]["user"]
        signed_in = httpx.post(process.url + "/auth/token", json=login)
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["data"]["access_token"]
        operations = httpx.get(process.url + "/openapi.json").json()["paths"]
        assert sum(len(methods) for methods in operations.values()) >= 50
        command = [
            sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
            "run", process.url + "/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS,
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", FUZZ_EXAMPLES,
            "--max-time", FUZZ_SECONDS,
            "--seed", "20260407",
            "--request-timeout", "30",
            "--no-color",
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=int(FUZZ_SECONDS) + 240)
        report = (result.stdout + result.stderr).replace(token, "opat_<redacted>")
        assert result.returncode == 0, report[-8000:]
        cases = re.search(r"(\d+) generated, (\d+) passed(.*)", report)
        assert cases is not None and int(cases[1]) >= 500 and cases[1] == cases[2] and not cases[3].strip(), report[-4000:]
        # The fuzzer must have stayed authenticated the whole run, or it proved nothing.
        me = httpx.get(process.url + "/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
    finally:
        assert process.stop() == 0
