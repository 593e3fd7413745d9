"""Google Workspace, collected live into the files `mamori audit` reads (see `sources/gws.py`).

Written under `DIR/gws/`:

- `users.json`: Directory API `users.list` (`customer=my_customer`, `projection=full`), the
  pages as received, in one JSON array;
- `login-activities.json`: Reports API `activities.list` for `applicationName=login` since
  `login_days` ago, the pages as received, in one JSON array. Google keeps about six months and
  refuses a `startTime` 180 or more days back, so at most `MAX_LOGIN_DAYS` are asked for.

Signing in: a service account with domain-wide delegation, as Google's "Using OAuth 2.0 for
Server to Server Applications" describes. A JWT (RS256, signed with the key file's private key;
`iss` the service account, `sub` the admin user it acts as, `scope`, `aud` the token URI, `iat`
and `exp` an hour later) is exchanged at the token URI (`grant_type=urn:ietf:params:oauth:
grant-type:jwt-bearer`) for an access token. Each API gets a token for its own scope, so a
delegation that lacks the Reports scope still lets the users be collected.

The key file must be readable by its owner only (checked on POSIX systems, as OpenSSH checks
private keys): it lets whoever holds it read every user in the company. Its private key never
appears in a message; nor do the signed JWT or the access tokens (`http.Client` masks them).

A call that fails (a missing scope, an admin without the privilege, Google still refusing after
the retries) is reported in `Collected.problems` and the other file is still collected. A
problem with the key file or a base URL raises `CollectError` before anything is sent.
"""

from __future__ import annotations

import base64
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from mamori.audit.collect.http import Client, HttpError, Retry, Waiting, check_base_url
from mamori.audit.collect.output import Collected, CollectError
from mamori.audit.collect.stream import write_json_array

FOLDER = "gws"
USERS = "users.json"
LOGIN_ACTIVITIES = "login-activities.json"

API_BASE = "https://admin.googleapis.com"
USERS_PATH = "admin/directory/v1/users"
LOGIN_PATH = "admin/reports/v1/activity/users/all/applications/login"
USERS_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"

ASSERTION_LIFETIME = 3600
"""Seconds; Google accepts at most an hour between `iat` and `exp`."""
RENEW_BEFORE = 300
"""Renew an access token this many seconds before it expires, so none expires in flight."""
MAX_LOGIN_DAYS = 179
USERS_PAGE = "500"
"""The Directory API's largest maxResults."""
ACTIVITIES_PAGE = "1000"
"""The Reports API's largest maxResults."""
KEY_FIELDS = ("client_email", "private_key", "token_uri")

USERS_NEEDS = (
    f"domain-wide delegation of {USERS_SCOPE}, the Admin SDK API enabled in the service "
    "account's project, and an admin user allowed to read users"
)
LOGIN_NEEDS = f"domain-wide delegation of {REPORTS_SCOPE} and an admin user allowed to read reports"


@dataclass(frozen=True, slots=True)
class ServiceAccountKey:
    """What a service account key file holds that signing in needs."""

    client_email: str
    client_id: str
    key_id: str
    token_uri: str
    private_key: RSAPrivateKey = field(repr=False)


def collect_gws(
    out_dir: Path,
    *,
    key_file: Path,
    admin: str,
    login_days: int = MAX_LOGIN_DAYS,
    api_base: str = API_BASE,
    retry: Retry | None = None,
    ca_bundle: str | None = None,
    on_wait: Waiting | None = None,
) -> Collected:
    """Collect users and login activities into `out_dir/gws/`, acting as `admin`.

    `admin` is the e-mail of a Workspace admin the service account impersonates (the `sub` of
    the JWT): domain-wide delegation acts as a user, and the APIs answer with that user's
    admin privileges. `api_base` and the key file's `token_uri` may be http only on loopback
    (tests).
    """
    google = _connect(load_key(key_file), admin, api_base, retry, ca_bundle, on_wait)
    folder = out_dir / FOLDER
    collected = Collected()
    _save("users", "users", user_pages(google.client(USERS_SCOPE)), folder / USERS, collected)
    since = datetime.now(UTC) - timedelta(days=min(login_days, MAX_LOGIN_DAYS))
    _save(
        f"login activities since {_rfc3339(since)}",
        "items",
        login_pages(google.client(REPORTS_SCOPE), since),
        folder / LOGIN_ACTIVITIES,
        collected,
    )
    return collected


@dataclass(frozen=True, slots=True)
class _Google:
    """Google's APIs as `admin`: a client per scope, each signing in with its own token."""

    key: ServiceAccountKey
    admin: str
    api_base: str
    retry: Retry | None
    ca_bundle: str | None
    on_wait: Waiting | None

    def client(self, scope: str) -> Client:
        token = AccessToken(self.key, self.admin, scope, self.token_client)
        return Client(
            self.api_base,
            auth=token,
            ca_bundle=self.ca_bundle,
            retry=self.retry,
            on_wait=self.on_wait,
        )

    def token_client(self, assertion: str) -> Client:
        """A client for the token URI that masks `assertion` (a credential for an hour)."""
        return Client(
            self.key.token_uri,
            secrets=[assertion],
            ca_bundle=self.ca_bundle,
            retry=self.retry,
            on_wait=self.on_wait,
        )


def _connect(
    key: ServiceAccountKey,
    admin: str,
    api_base: str,
    retry: Retry | None,
    ca_bundle: str | None,
    on_wait: Waiting | None,
) -> _Google:
    """Check both URLs before anything is signed or sent: no token over plain http."""
    try:
        check_base_url(key.token_uri)
        api = check_base_url(api_base)
    except ValueError as exc:
        raise CollectError(f"Google Workspace: {exc}") from None
    return _Google(key, admin, api, retry, ca_bundle, on_wait)


def _save(
    what: str,
    key: str,
    pages: Iterator[dict[str, Any]],
    target: Path,
    collected: Collected,
) -> None:
    """Stream the pages that hold records (`key`) into `target`, or record why not.

    Pages are written as they arrive, so a long login history need not fit in memory; the file
    appears only once the last page is in. Pages without records are left out: a file of only
    empty pages is not recognised as an export, so no file is written and the gap is reported.
    """
    try:
        count = write_json_array(
            target, (page for page in pages if page.get(key)), keep_empty=False
        )
    except HttpError as exc:
        stale = f"; {target} is from an earlier collection" if target.exists() else ""
        collected.problems.append(f"Google Workspace {what}: {exc}{stale}")
        return
    if count:
        collected.written.append(target)
    else:
        collected.problems.append(f"Google Workspace {what}: none; {target.name} not written")


# --- the key file ------------------------------------------------------------------------------


def load_key(path: Path) -> ServiceAccountKey:
    """The service account key in `path`, refused when others can read it or it is unusable.

    Messages name the file and the field, never a value from it.
    """
    try:
        with path.open("rb") as file:
            _check_private(path, os.fstat(file.fileno()).st_mode)
            raw = file.read()
    except OSError as exc:
        raise CollectError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
    try:
        info = orjson.loads(raw)
    except orjson.JSONDecodeError:
        info = None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise CollectError(
            f'{path} is not a service account key file (JSON with "type": "service_account", '
            "as the Google Cloud console downloads it)"
        )
    missing = [name for name in KEY_FIELDS if not isinstance(info.get(name), str)]
    if missing:
        raise CollectError(f"{path} lacks {', '.join(missing)}")
    return ServiceAccountKey(
        client_email=info["client_email"],
        client_id=str(info.get("client_id", "")),
        key_id=str(info.get("private_key_id", "")),
        token_uri=info["token_uri"],
        private_key=_private_key(path, info["private_key"]),
    )


def _check_private(path: Path, mode: int) -> None:
    """Refuse a key file that group or others may access (POSIX; Windows has ACLs instead)."""
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CollectError(
            f"{path} can be read by other users (mode {stat.S_IMODE(mode):o}), and it holds a "
            f"key that can read every user in the company; run: chmod 600 {path}"
        )


def _private_key(path: Path, pem: str) -> RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, RSAPrivateKey):
        raise CollectError(f"{path}: private_key is not an unencrypted PEM RSA private key")
    return key


# --- signing in --------------------------------------------------------------------------------


def signed_jwt(key: ServiceAccountKey, subject: str, scope: str, issued_at: int) -> str:
    """The JWT a service account presents to Google's token URI, signed RS256."""
    header = {"alg": "RS256", "typ": "JWT"}
    if key.key_id:
        header["kid"] = key.key_id
    claims = {
        "iss": key.client_email,
        "sub": subject,
        "scope": scope,
        "aud": key.token_uri,
        "iat": issued_at,
        "exp": issued_at + ASSERTION_LIFETIME,
    }
    signing_input = f"{_b64url(orjson.dumps(header))}.{_b64url(orjson.dumps(claims))}"
    signature = key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class AccessToken:
    """The `Authorization` value for one scope: fetched when first needed, renewed near expiry.

    `http.Client` calls it before every request, so paging a long login history never runs
    on a token that expired under it.
    """

    def __init__(
        self,
        key: ServiceAccountKey,
        subject: str,
        scope: str,
        token_client: Callable[[str], Client],
    ) -> None:
        """`token_client(assertion)` makes the client that posts `assertion` to the token URI."""
        self._key = key
        self._subject = subject
        self._scope = scope
        self._token_client = token_client
        self._value = ""
        self._renew_at = 0.0

    def __call__(self) -> str:
        if time.monotonic() >= self._renew_at:
            self._value, lifetime = self._fetch()
            self._renew_at = time.monotonic() + max(0.0, lifetime - RENEW_BEFORE)
        return f"Bearer {self._value}"

    def _fetch(self) -> tuple[str, float]:
        assertion = signed_jwt(self._key, self._subject, self._scope, int(time.time()))
        client = self._token_client(assertion)
        try:
            answer = client.post_form(
                self._key.token_uri, {"grant_type": JWT_BEARER, "assertion": assertion}
            )
        except HttpError as exc:
            raise type(exc)(
                f"{exc}; {self._hint(exc.code)}",
                endpoint=exc.endpoint,
                status=exc.status,
                code=exc.code,
            ) from None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            endpoint = client.endpoint(self._key.token_uri)
            raise HttpError(f"POST {endpoint} gave no access_token", endpoint=endpoint)
        lifetime = answer.get("expires_in")
        return token, float(lifetime) if isinstance(lifetime, int | float) else 3600.0

    def _hint(self, code: str | None) -> str:
        if code == "unauthorized_client":
            return (
                f"in the Admin console (Security > API controls > Domain-wide delegation), "
                f"allow client ID {self._key.client_id or '(see the key file)'} the scope "
                f"{self._scope}"
            )
        if code == "invalid_grant":
            return (
                f"check that the key is still active, that {self._subject} is an existing "
                "user, and that this computer's clock is right"
            )
        return "the service account could not sign in"


# --- listing -----------------------------------------------------------------------------------


def user_pages(api: Client) -> Iterator[dict[str, Any]]:
    """The Directory API pages of users of the admin's own customer, as received."""
    params = {"customer": "my_customer", "maxResults": USERS_PAGE, "projection": "full"}
    return google_pages(api, USERS_PATH, params, needs=USERS_NEEDS)


def login_pages(api: Client, since: datetime) -> Iterator[dict[str, Any]]:
    """The Reports API pages of login activities since `since`, as received."""
    params = {"startTime": _rfc3339(since), "maxResults": ACTIVITIES_PAGE}
    return google_pages(api, LOGIN_PATH, params, needs=LOGIN_NEEDS)


def google_pages(
    client: Client, url: str, params: Mapping[str, str], *, needs: str
) -> Iterator[dict[str, Any]]:
    """Google API pages, following `nextPageToken` (passed back as `pageToken`)."""
    token: str | None = None
    while True:
        query = dict(params) | ({"pageToken": token} if token else {})
        page = client.get_json(url, query, needs=needs)
        if not isinstance(page, dict):
            endpoint = client.endpoint(url)
            raise HttpError(f"GET {endpoint} did not answer a page", endpoint=endpoint)
        yield page
        following = page.get("nextPageToken")
        if not isinstance(following, str) or not following:
            return
        if following == token:
            endpoint = client.endpoint(url)
            raise HttpError(f"GET {endpoint} gave the same page token twice", endpoint=endpoint)
        token = following


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
