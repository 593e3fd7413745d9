"""collect_gws against a real HTTP server on 127.0.0.1 playing Google's token endpoint and the
Admin SDK Directory and Reports APIs.

The token endpoint checks the JWT as Google does: RS256 signature against the public key of a
key pair made here (so a wrong signature is caught), `iss`, `sub`, `aud`, `scope`, and an hour
between `iat` and `exp`. The APIs accept only a token issued for their own scope. Pages are the
fixtures under data/gws, served with `nextPageToken`. Then the offline reader reads what was
written, so collect → audit is tested end to end.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mamori.audit.collect.gws import (
    LOGIN_PATH,
    REPORTS_SCOPE,
    USERS_PATH,
    USERS_SCOPE,
    collect_gws,
)
from mamori.audit.collect.http import Retry
from mamori.audit.collect.output import CollectError
from mamori.audit.sources import read_identity

DATA = Path(__file__).resolve().parent.parent / "data" / "gws"
CLIENT_EMAIL = "mamori-audit@mamori-shoji.iam.gserviceaccount.com"
ADMIN = "kenji.sato@mamori-shoji.co.jp"
FAST = Retry(attempts=3, backoff=0.0)

USERS_FIRST = json.loads((DATA / "users.json").read_text(encoding="utf-8"))
USERS_REST = [
    json.loads(line)
    for line in (DATA / "users-pages.jsonl").read_text(encoding="utf-8").splitlines()
]
USER_PAGES = {None: USERS_FIRST} | {
    page["nextPageToken"]: following
    for page, following in zip([USERS_FIRST, *USERS_REST], USERS_REST, strict=False)
}
ALL_USERS = {user["primaryEmail"] for page in USER_PAGES.values() for user in page["users"]}
LOGINS = json.loads((DATA / "login-activities.json").read_text(encoding="utf-8"))
SIGN_IN_EVENTS = [
    event
    for activity in LOGINS["items"]
    for event in activity["events"]
    if event["name"] in ("login_success", "login_failure")
]


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class FakeGoogle:
    """Google's token endpoint and Admin SDK, with what they received."""

    public_key: rsa.RSAPublicKey
    token_uri: str = ""
    delegated: set[str] = field(default_factory=lambda: {USERS_SCOPE, REPORTS_SCOPE})
    reports_forbidden: bool = False
    token_lifetime: int = 3599
    logins: dict[str, Any] = field(default_factory=lambda: LOGINS)
    rate_limit_once: set[str] = field(default_factory=set)
    """Page tokens answered once with 429 and Retry-After."""
    unavailable: set[str] = field(default_factory=set)
    """Page tokens always answered with 503."""
    tokens: dict[str, str] = field(default_factory=dict)
    """Access token issued → its scope."""
    claims: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, Any]] = field(default_factory=list)
    queries: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}, {}
        header, claims, ok = self.verify(form.get("assertion", ""))
        if not ok:
            return (
                400,
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                {},
            )
        self.claims.append(claims)
        assert header == {"alg": "RS256", "typ": "JWT", "kid": "0123456789abcdef"}
        assert claims["iss"] == CLIENT_EMAIL and claims["sub"] == ADMIN
        assert claims["aud"] == self.token_uri
        assert claims["exp"] - claims["iat"] == 3600
        assert abs(claims["iat"] - time.time()) < 60
        if claims["scope"] not in self.delegated:
            return (
                401,
                {
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve access tokens "
                    "using this method, or client not authorized for any of the scopes requested.",
                },
                {},
            )
        access = f"ya29.token-{len(self.tokens)}"
        self.tokens[access] = claims["scope"]
        answer = {"access_token": access, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        return 200, answer, {}

    def verify(self, assertion: str) -> tuple[dict[str, Any], dict[str, Any], bool]:
        header, claims, signature = assertion.split(".")
        try:
            self.public_key.verify(
                _b64decode(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return {}, {}, False
        return json.loads(_b64decode(header)), json.loads(_b64decode(claims)), True

    def api(
        self, path: str, query: dict[str, str], authorization: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        self.queries.append((path, query))
        scope = self.tokens.get(authorization.removeprefix("Bearer "))
        if path == f"/{USERS_PATH}":
            if scope != USERS_SCOPE:
                return 401, _google_error(401, "Invalid Credentials", "UNAUTHENTICATED"), {}
            token = query.get("pageToken")
            if token in self.unavailable:
                return 503, _google_error(503, "Backend Error", "UNAVAILABLE"), {}
            if token in self.rate_limit_once:
                self.rate_limit_once.discard(token)
                return (
                    429,
                    _google_error(429, "Quota exceeded", "RESOURCE_EXHAUSTED"),
                    {"Retry-After": "0"},
                )
            return 200, USER_PAGES[token], {}
        if path == f"/{LOGIN_PATH}":
            if scope != REPORTS_SCOPE:
                return 401, _google_error(401, "Invalid Credentials", "UNAUTHENTICATED"), {}
            if self.reports_forbidden:
                return (
                    403,
                    _google_error(
                        403, "Not Authorized to access this resource/api", "PERMISSION_DENIED"
                    ),
                    {},
                )
            return 200, self.logins, {}
        return 404, _google_error(404, "Not Found", "NOT_FOUND"), {}


def _google_error(code: int, message: str, status: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": "forbidden"}],
            "status": status,
        }
    }


def _handler(google: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = {name: values[0] for name, values in parse_qs(body).items()}
            self.answer(*google.token(form))

        def do_GET(self) -> None:
            google.headers.append(dict(self.headers))
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            self.answer(*google.api(url.path, query, self.headers.get("Authorization", "")))

        def answer(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def google(signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    fake = FakeGoogle(signing_key.public_key())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.token_uri = f"http://127.0.0.1:{server.server_address[1]}/token"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _key_file(
    folder: Path, private_key: rsa.RSAPrivateKey, token_uri: str, mode: int = 0o600
) -> Path:
    """A key file shaped like the one the Google Cloud console downloads."""
    folder.mkdir(exist_ok=True)
    path = folder / "service-account.json"
    info = {
        "type": "service_account",
        "project_id": "mamori-shoji-audit",
        "private_key_id": "0123456789abcdef",
        "private_key": _private_pem(private_key),
        "client_email": CLIENT_EMAIL,
        "client_id": "105473829104738291047",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    path.chmod(mode)
    return path


def _collect(out: Path, google: FakeGoogle, key: Path):
    """Collect into `out`; key files live beside it, where the reader does not look."""
    api_base = google.token_uri.removesuffix("/token")
    return collect_gws(out, key_file=key, admin=ADMIN, api_base=api_base, retry=FAST)


def _read(folder: Path):
    problems: list[object] = []
    return read_identity([folder], problems.append), problems


def test_collects_users_and_logins_and_the_reader_reads_them(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.rate_limit_once = {USERS_FIRST["nextPageToken"]}

    collected = _collect(tmp_path / "out", google, key)

    folder = tmp_path / "out" / "gws"
    assert collected.problems == []
    assert collected.written == [folder / "users.json", folder / "login-activities.json"]
    pages = json.loads((folder / "users.json").read_text(encoding="utf-8"))
    assert pages == [USERS_FIRST, *USERS_REST]  # as received, in one array
    assert json.loads((folder / "login-activities.json").read_text(encoding="utf-8")) == [LOGINS]

    data, problems = _read(tmp_path / "out")
    assert problems == []
    assert {account.name for account in data.accounts} == ALL_USERS
    assert len(data.signins) == len(SIGN_IN_EVENTS)
    admin = next(account for account in data.accounts if account.name == ADMIN)
    assert admin.is_admin is True


def test_requests_follow_google_paging_with_one_token_per_scope(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.rate_limit_once = {USERS_FIRST["nextPageToken"]}

    _collect(tmp_path / "out", google, key)

    assert [claims["scope"] for claims in google.claims] == [USERS_SCOPE, REPORTS_SCOPE]
    users = [query for path, query in google.queries if path == f"/{USERS_PATH}"]
    first = USERS_REST[0]
    assert [query.get("pageToken") for query in users] == [
        None,
        USERS_FIRST["nextPageToken"],  # 429, Retry-After: 0
        USERS_FIRST["nextPageToken"],
        first["nextPageToken"],
    ]
    assert all(
        query | {"pageToken": ""}
        == {"customer": "my_customer", "maxResults": "500", "projection": "full", "pageToken": ""}
        for query in users
    )
    (logins,) = [query for path, query in google.queries if path == f"/{LOGIN_PATH}"]
    assert logins["maxResults"] == "1000"
    assert logins["startTime"].endswith(".000Z")
    assert len(google.tokens) == 2  # each token reused for every page of its API


def test_a_token_about_to_expire_is_renewed_before_the_next_request(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.token_lifetime = 300  # within RENEW_BEFORE: stale as soon as it is issued

    collected = _collect(tmp_path / "out", google, key)

    assert collected.problems == []
    sent = [h["Authorization"].removeprefix("Bearer ") for h in google.headers]
    assert len(sent) == len(USER_PAGES) + 1 == len(set(sent)) == len(google.tokens)


def test_login_history_is_asked_for_at_most_179_days_back(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    api_base = google.token_uri.removesuffix("/token")

    collect_gws(tmp_path / "out", key_file=key, admin=ADMIN, api_base=api_base, login_days=400)

    (logins,) = [query for path, query in google.queries if path == f"/{LOGIN_PATH}"]
    since = datetime.strptime(logins["startTime"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
    assert timedelta(days=178) < datetime.now(UTC) - since < timedelta(days=179, minutes=1)


def test_a_403_on_reports_still_writes_the_users(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.reports_forbidden = True

    collected = _collect(tmp_path / "out", google, key)

    assert [path.name for path in collected.written] == ["users.json"]
    (problem,) = collected.problems
    assert re.match(r"Google Workspace login activities since \S+Z: GET http://127", problem)
    assert "403" in problem and "PERMISSION_DENIED" in problem
    assert REPORTS_SCOPE in problem  # what the call needs
    data, problems = _read(tmp_path / "out")
    assert problems == []
    assert {account.name for account in data.accounts} == ALL_USERS


def test_a_page_failing_for_good_leaves_no_partial_file(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.unavailable = {USERS_FIRST["nextPageToken"]}

    collected = _collect(tmp_path / "out", google, key)

    assert [path.name for path in collected.written] == ["login-activities.json"]
    (problem,) = collected.problems
    assert problem.startswith("Google Workspace users: GET ")
    assert "503" in problem and "still failing after 3 tries" in problem
    assert sorted(path.name for path in (tmp_path / "out" / "gws").iterdir()) == [
        "login-activities.json"
    ]


def test_a_scope_missing_from_the_delegation_says_where_to_add_it(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.delegated = {USERS_SCOPE}

    collected = _collect(tmp_path / "out", google, key)

    assert [path.name for path in collected.written] == ["users.json"]
    (problem,) = collected.problems
    assert "unauthorized_client" in problem
    assert "Domain-wide delegation" in problem and "105473829104738291047" in problem


def test_a_wrong_signature_is_refused_and_no_secret_is_shown(
    tmp_path: Path, google: FakeGoogle
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = _key_file(tmp_path / "keys", other, google.token_uri)

    collected = _collect(tmp_path / "out", google, key)

    assert collected.written == []
    assert len(collected.problems) == 2
    assert all("invalid_grant: Invalid JWT Signature." in p for p in collected.problems)
    assert google.tokens == {}
    text = "\n".join(collected.problems)
    pem = _private_pem(other)
    body = pem.splitlines()[1]
    assert body not in text and "PRIVATE KEY" not in text
    assert "eyJ" not in text  # no JWT (base64url of '{"')


def test_no_login_activity_writes_no_empty_file(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri)
    google.logins = {"kind": "admin#reports#activities", "etag": '"x"'}

    collected = _collect(tmp_path / "out", google, key)

    assert [path.name for path in collected.written] == ["users.json"]
    (problem,) = collected.problems
    assert re.fullmatch(
        r"Google Workspace login activities since \S+Z: none; login-activities.json not written",
        problem,
    )


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_key_file_others_can_read_is_refused(
    tmp_path: Path, google: FakeGoogle, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, google.token_uri, mode=0o644)

    with pytest.raises(CollectError, match=r"can be read by other users \(mode 644\)") as error:
        _collect(tmp_path / "out", google, key)

    assert "chmod 600" in str(error.value)
    assert "PRIVATE KEY" not in str(error.value)
    assert google.claims == [] and not (tmp_path / "out").exists()


def test_an_unusable_key_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    secret = "-----BEGIN PRIVATE KEY-----\nnot really a key\n-----END PRIVATE KEY-----\n"
    cases = {
        "not json " + secret: "is not a service account key file",
        json.dumps({"type": "authorized_user", "private_key": secret}): "is not a service account",
        json.dumps({"type": "service_account", "private_key": secret}): "lacks client_email",
        json.dumps(
            {
                "type": "service_account",
                "private_key": secret,
                "client_email": CLIENT_EMAIL,
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        ): "private_key is not an unencrypted PEM RSA private key",
    }
    for content, message in cases.items():
        key.write_text(content, encoding="utf-8")
        key.chmod(0o600)
        with pytest.raises(CollectError, match=message) as error:
            collect_gws(tmp_path, key_file=key, admin=ADMIN)
        assert "not really a key" not in str(error.value)


def test_plain_http_is_refused_except_to_loopback(
    tmp_path: Path, signing_key: rsa.RSAPrivateKey
) -> None:
    key = _key_file(tmp_path / "keys", signing_key, "https://oauth2.googleapis.com/token")

    with pytest.raises(CollectError, match=r"refusing plain http to admin\.example\.com"):
        collect_gws(tmp_path, key_file=key, admin=ADMIN, api_base="http://admin.example.com")

    key = _key_file(tmp_path / "keys", signing_key, "http://oauth2.example.com/token")
    with pytest.raises(CollectError, match=r"refusing plain http to oauth2\.example\.com"):
        collect_gws(tmp_path, key_file=key, admin=ADMIN)
