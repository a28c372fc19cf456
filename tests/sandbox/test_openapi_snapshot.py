"""The OpenAPI document the sandbox serves is the committed snapshot: any change to an operation,
parameter or schema shows up here and must be committed on purpose.

Regenerate after an intended change (from the repository root):

    python -m tests.sandbox.test_openapi_snapshot
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import httpx

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")
REGENERATE = "python -m tests.sandbox.test_openapi_snapshot"


def _render(document: dict) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_served_openapi_matches_the_snapshot(sandbox) -> None:
    served = httpx.get(sandbox.url + "/openapi.json")
    assert served.status_code == 200
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    document = served.json()
    if document != expected:
        changed = sorted(set(document["paths"]) ^ set(expected["paths"]))
        changed += [p for p in document["paths"] if p in expected["paths"] and document["paths"][p] != expected["paths"][p]]
        raise AssertionError(f"the served OpenAPI document drifted from {SNAPSHOT.name} (paths: {changed or 'schemas'});"
                             f" if intended, run `{REGENERATE}` and commit the result")


def test_every_operation_declares_its_success_and_error_bodies(sandbox) -> None:
    document = httpx.get(sandbox.url + "/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{method.upper()} {path} declares no success answer"
            for code in success:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema.get("$ref") or schema.get("properties"), f"{method.upper()} {path} {code}"
            assert operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "/ErrorEnvelope"), f"{method.upper()} {path} documents FastAPI's default 422 body"


def regenerate() -> None:
    """Write the snapshot from the app as the current code builds it."""
    from app.sandbox.app_factory import create_app
    from app.sandbox.settings import SandboxSettings

    with tempfile.TemporaryDirectory() as tmp:
        document = create_app(SandboxSettings(data_dir=Path(tmp))).openapi()
    SNAPSHOT.write_text(_render(document), encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
