"""AWS IAM, collected live into the files `mamori audit` reads (see `sources/aws.py`).

Written under `DIR/aws/`:

- `credential-report.csv`: the IAM credential report as IAM generated it (the decoded
  `Content` of GetCredentialReport), after GenerateCredentialReport says COMPLETE;
- `authorization-details.json`: GetAccountAuthorizationDetails, every page merged into one
  document (`UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`), which is what
  `aws iam get-account-authorization-details` writes;
- `mfa-devices.json`: ListVirtualMFADevices, every page merged (`VirtualMFADevices`), never
  with a device's TOTP seed. Hardware and FIDO devices are only listed per user
  (ListMFADevices), which is not collected; the credential report's `mfa_active` still tells
  whether each user has a device.

Through boto3, so credentials come from the standard chain (`profile`, environment, SSO, an
instance or container role) and throttling is retried by botocore's standard retry mode. Dates
are written as the AWS CLI v2 writes them (`datetime.isoformat()`), policy documents as boto3
returns them (decoded JSON objects): both are what the reader parses.

A call the service refuses (AccessDenied for a missing permission, a report not ready in time)
is reported in `Collected.problems` and the other files are still collected. A paginated call
that fails part-way writes nothing: a partial authorization-details file would make the missing
users and policies look absent, not unknown. Not being able to reach AWS at all (no
credentials, no such profile, no network) raises `CollectError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from mamori.audit.collect.output import Collected, CollectError, json_bytes, write_atomic

FOLDER = "aws"
CREDENTIAL_REPORT = "credential-report.csv"
AUTHORIZATION_DETAILS = "authorization-details.json"
MFA_DEVICES = "mfa-devices.json"

PAGE_SIZE = 1000
"""IAM's largest MaxItems: fewer requests, so fewer chances to be throttled."""
REPORT_READY = "COMPLETE"
MFA_SECRETS = ("Base32StringSeed", "QRCodePNG")
"""A virtual MFA device's TOTP seed, in the shape ListVirtualMFADevices shares with
CreateVirtualMFADevice: whoever reads it can generate the user's codes."""


class _ReportTimeout(Exception):
    """IAM was still generating the credential report when the wait ran out."""


def collect_aws(
    out_dir: Path,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    max_retries: int = 8,
    report_timeout: float = 300.0,
    poll_interval: float = 5.0,
) -> Collected:
    """Collect the three IAM exports into `out_dir/aws/`.

    `max_retries` is botocore's `retries.max_attempts`: retries after the first try, each after
    a longer (jittered) wait, up to 20 s apart. `report_timeout` bounds the wait for the
    credential report, which IAM generates asynchronously (seconds for most accounts).
    IAM is global, so `region` only picks the partition (`cn-north-1` reaches the China
    partition's IAM); none is needed otherwise. `endpoint_url` exists for tests.
    """
    iam = iam_client(profile, region, endpoint_url, max_retries)
    folder = out_dir / FOLDER
    steps: list[tuple[str, str, Callable[[], bytes]]] = [
        (
            "GetCredentialReport",
            CREDENTIAL_REPORT,
            lambda: credential_report(iam, report_timeout, poll_interval),
        ),
        (
            "GetAccountAuthorizationDetails",
            AUTHORIZATION_DETAILS,
            lambda: json_bytes(full_result(iam, "get_account_authorization_details")),
        ),
        (
            "ListVirtualMFADevices",
            MFA_DEVICES,
            lambda: json_bytes(virtual_mfa_devices(iam)),
        ),
    ]
    collected = Collected()
    for call, name, fetch in steps:
        target = folder / name
        data = _attempt(call, fetch, target, collected)
        if data is not None:
            collected.written.append(write_atomic(target, data))
    return collected


def iam_client(
    profile: str | None, region: str | None, endpoint_url: str | None, max_retries: int
) -> Any:
    """An IAM client from the standard credential chain, retrying throttling the standard way.

    Standard mode retries throttling and transient errors with exponential backoff and jitter,
    and stops early when the account is being throttled hard (its retry quota), rather than
    hammering IAM, whose rate limits are shared by everything in the account.
    """
    config = Config(retries={"mode": "standard", "max_attempts": max_retries})
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
        return session.client("iam", config=config, endpoint_url=endpoint_url)
    except BotoCoreError as exc:
        raise CollectError(f"AWS: {exc}") from None


def _attempt(
    call: str, fetch: Callable[[], bytes], target: Path, collected: Collected
) -> bytes | None:
    """The file's bytes, or None with the refusal recorded in `collected.problems`."""
    try:
        return fetch()
    except ClientError as exc:
        reason = _client_error(exc)
    except _ReportTimeout as exc:
        reason = str(exc)
    except BotoCoreError as exc:
        raise CollectError(f"AWS {call}: {exc}") from None
    stale = f"; {target} is from an earlier collection" if target.exists() else ""
    collected.problems.append(f"AWS {call}: {reason}{stale}")
    return None


def _client_error(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    code = error.get("Code", "error")
    message = error.get("Message", "")
    return f"{code}: {message}" if message else code


def credential_report(iam: Any, timeout: float, poll_interval: float) -> bytes:
    """The report's CSV, once IAM has finished generating it.

    IAM generates the report asynchronously: GenerateCredentialReport answers STARTED or
    INPROGRESS until it is done, and COMPLETE at once when a report under four hours old exists
    (GetCredentialReport before then fails with ReportNotReady).
    """
    deadline = time.monotonic() + timeout
    while iam.generate_credential_report().get("State") != REPORT_READY:
        if time.monotonic() >= deadline:
            raise _ReportTimeout(f"the credential report was not ready after {timeout:g} s")
        time.sleep(poll_interval)
    content: bytes = iam.get_credential_report()["Content"]
    return content


def full_result(iam: Any, operation: str) -> dict[str, Any]:
    """Every page of a paginated IAM call merged into one document, as the AWS CLI does."""
    paginator = iam.get_paginator(operation)
    result: dict[str, Any] = paginator.paginate(
        PaginationConfig={"PageSize": PAGE_SIZE}
    ).build_full_result()
    return result


def virtual_mfa_devices(iam: Any) -> dict[str, Any]:
    """Every virtual MFA device, without seeds: only creating a device returns them today,
    but a seed must never reach a file, whatever a future answer holds."""
    result = full_result(iam, "list_virtual_mfa_devices")
    for device in result.get("VirtualMFADevices", []):
        for secret in MFA_SECRETS:
            device.pop(secret, None)
    return result
