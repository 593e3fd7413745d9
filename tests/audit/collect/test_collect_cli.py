"""`mamori collect`: secrets from the environment or a private file, never shown; exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mamori.cli import app as mamori_app
from mamori.cli.collect import app

from fake_apis import OKTA_TOKEN, SECRET, TENANT, FakeApi, graph_api, okta_api, serve

ENTRA_ENV = {"MAMORI_ENTRA_CLIENT_SECRET": SECRET, "NO_COLOR": "1", "COLUMNS": "200"}


@pytest.fixture
def graph() -> Iterator[FakeApi]:
    with serve(graph_api()) as api:
        yield api


def entra_args(api: FakeApi, out: Path, *more: str) -> list[str]:
    return [
        "entra",
        "--out",
        str(out),
        "--tenant",
        TENANT,
        "--client-id",
        "11111111-2222-3333-4444-555555555555",
        "--graph-url",
        f"{api.url}/v1.0",
        "--login-url",
        api.url,
        "--since",
        "2025-06-01",
        *more,
    ]


def invoke(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, env=env)
    # Error lines wrap at the console width: compare words, not line breaks.
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def test_collects_with_the_secret_from_the_environment(graph: FakeApi, tmp_path: Path) -> None:
    code, stdout, stderr = invoke(entra_args(graph, tmp_path), ENTRA_ENV)
    assert code == 0, stderr
    assert f"wrote {tmp_path / 'entra' / 'users.json'} (" in stdout
    assert f"next: mamori audit {tmp_path}" in stdout
    assert SECRET not in stdout + stderr
    token = next(seen for seen in graph.seen if seen.method == "POST")
    assert token.form["client_secret"] == SECRET


def test_a_private_secret_file_is_read(graph: FakeApi, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    secret_file.chmod(0o600)
    env = {"MAMORI_ENTRA_CLIENT_SECRET": "", "NO_COLOR": "1"}
    code, _, stderr = invoke(entra_args(graph, tmp_path, "--secret-file", str(secret_file)), env)
    assert code == 0, stderr


@pytest.mark.skipif(os.name == "nt", reason="POSIX mode bits")
def test_a_secret_file_others_can_read_is_refused(graph: FakeApi, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    secret_file.chmod(0o644)
    code, stdout, stderr = invoke(
        entra_args(graph, tmp_path, "--secret-file", str(secret_file)), {"NO_COLOR": "1"}
    )
    assert code == 2
    assert "can be read or changed by every user of this machine (mode -rw-r--r--)" in stderr
    assert f"chmod 600 {secret_file}" in stderr
    assert SECRET not in stdout + stderr
    assert graph.seen == []


def test_missing_or_doubled_secrets_are_usage_errors(graph: FakeApi, tmp_path: Path) -> None:
    code, _, stderr = invoke(entra_args(graph, tmp_path), {"MAMORI_ENTRA_CLIENT_SECRET": ""})
    assert code == 2 and "no secret: set MAMORI_ENTRA_CLIENT_SECRET or use --secret-file" in stderr
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    secret_file.chmod(0o600)
    both = entra_args(
        graph, tmp_path, "--client-secret", "x" * 8, "--secret-file", str(secret_file)
    )
    code, _, stderr = invoke(both, {})
    assert code == 2 and "--client-secret or --secret-file, not both" in stderr


def test_plain_http_to_a_real_host_is_refused(tmp_path: Path) -> None:
    args = ["entra", "--out", str(tmp_path), "--tenant", TENANT, "--client-id", "app"]
    code, _, stderr = invoke([*args, "--graph-url", "http://graph.microsoft.com/v1.0"], ENTRA_ENV)
    assert code == 2 and "refusing plain http to graph.microsoft.com" in stderr


def test_okta_with_the_token_from_the_environment(tmp_path: Path) -> None:
    with serve(okta_api()) as api:
        args = ["okta", "--out", str(tmp_path), "--org-url", api.url, "--since", "2025-10-01"]
        code, stdout, stderr = invoke(args, {"MAMORI_OKTA_TOKEN": OKTA_TOKEN, "NO_COLOR": "1"})
    assert code == 0, stderr
    assert f"wrote {tmp_path / 'okta' / 'factors.jsonl'}" in stdout
    assert OKTA_TOKEN not in stdout + stderr


def test_nothing_collected_exits_2(tmp_path: Path) -> None:
    api = okta_api()
    for path in ("/api/v1/users", "/api/v1/groups", "/api/v1/policies", "/api/v1/logs"):
        api.routes[("GET", path)] = lambda seen: __import__("fake_apis").Answer(
            403, {"errorCode": "E0000006", "errorSummary": "You do not have permission"}
        )
    with serve(api):
        args = ["okta", "--out", str(tmp_path), "--org-url", api.url]
        code, _, stderr = invoke(args, {"MAMORI_OKTA_TOKEN": OKTA_TOKEN, "NO_COLOR": "1"})
    assert code == 2
    assert "nothing could be collected" in stderr
    assert "warning: Okta users.json: not collected: GET" in stderr


@pytest.mark.skipif(
    "collect" not in {group.name for group in mamori_app.registered_groups},
    reason="`collect` is not registered in mamori.cli yet",
)
def test_a_wrong_secret_through_the_real_command(graph: FakeApi, tmp_path: Path) -> None:
    wrong = "Wr0ng~Secret.Value_123"
    run = subprocess.run(
        [sys.executable, "-m", "mamori", "collect", *entra_args(graph, tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **ENTRA_ENV, "MAMORI_ENTRA_CLIENT_SECRET": wrong},
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    stderr = " ".join(run.stderr.split())
    assert f"POST {graph.url}/{TENANT}/oauth2/v2.0/token answered 401" in stderr
    assert "AADSTS7000215: Invalid client secret provided." in stderr
    assert wrong not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
