"""Schemathesis fuzzes the whole REST API from its own OpenAPI document, with a valid key."""

import subprocess
import sys
from pathlib import Path

import pytest

from apikeys.services import api_key_create

ST = Path(sys.executable).parent / "st"


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_response_breaking_the_schema(live_server, team_owner, tmp_path):
    _, secret = api_key_create(account=team_owner, name="fuzz")
    result = subprocess.run(
        [
            str(ST),
            "run",
            f"{live_server.url}/api/openapi.json",
            "--header",
            f"Mailsac-Key: {secret}",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--max-examples",
            "40",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "1",
            "--request-timeout",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # schemathesis keeps its example database in the working directory
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout or "passed" in result.stdout.lower()
