"""Real HTTP servers on 127.0.0.1 that answer like Microsoft Graph and Okta, from the fixtures.

Nothing of the client code is mocked: the collectors talk HTTP to these servers. Each server
records every request (method, path, query, headers, form) and can be told to answer a route
with a fault (429, 403, 5xx…) a number of times before answering normally.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

DATA = Path(__file__).resolve().parent.parent / "data"

SECRET = "s3cr3t~Value.With-Chars_42"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-access-token.signature"
OKTA_TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcd"
TENANT = "3c8f9b1e-5d2a-4e7b-9a61-0f2c4d8e7b15"


@dataclass(slots=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    raw_url: str


@dataclass(slots=True)
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Seen], Answer]


@dataclass(slots=True)
class FakeApi:
    """Routes by (method, path); faults queued per path are answered first."""

    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    prefixes: list[tuple[str, str, Route]] = field(default_factory=list)
    faults: dict[str, list[Answer]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def fault(self, path: str, *answers: Answer) -> None:
        self.faults.setdefault(path, []).extend(answers)

    def paths(self) -> list[str]:
        return [request.path for request in self.seen]

    def answer(self, request: Seen) -> Answer:
        self.seen.append(request)
        queued = self.faults.get(request.path)
        if queued:
            return queued.pop(0)
        route = self.routes.get((request.method, request.path))
        if route is None:
            route = next(
                (
                    r
                    for m, p, r in self.prefixes
                    if m == request.method and request.path.startswith(p)
                ),
                None,
            )
        if route is None:
            return Answer(404, {"error": {"code": "Request_ResourceNotFound", "message": "no"}})
        return route(request)


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            request = Seen(
                self.command,
                parts.path,
                {k: v[0] for k, v in parse_qs(parts.query).items()},
                dict(self.headers.items()),
                {k: v[0] for k, v in parse_qs(body).items()},
                self.path,
            )
            answer = api.answer(request)
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response_only(answer.status)  # no automatic Date: a fault may set its own
            self.send_header("Date", answer.headers.get("Date") or now_date())
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                if name != "Date":
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def now_date() -> str:
    return formatdate(usegmt=True)


# --- fixtures ------------------------------------------------------------------------------


def records(path: Path) -> list[dict[str, Any]]:
    """The records of a fixture: Graph page(s), a JSON array or JSON lines."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    document = json.loads(text)
    if isinstance(document, dict):
        return document["value"]
    if document and all(isinstance(page, dict) and "value" in page for page in document):
        return [record for page in document for record in page["value"]]
    return document


# --- Microsoft Graph -----------------------------------------------------------------------


def graph_api(page_size: int = 2) -> FakeApi:
    """Token endpoint and Graph v1.0 collections from tests/audit/data/entra."""
    api = FakeApi()
    entra = DATA / "entra"
    users = records(entra / "users.json")
    api.routes[("POST", f"/{TENANT}/oauth2/v2.0/token")] = _token
    collections = {
        "users": ("users(id,userPrincipalName)", [_without(u, "manager") for u in users]),
        "reports/authenticationMethods/userRegistrationDetails": (
            "reports/authenticationMethods/userRegistrationDetails",
            records(entra / "userRegistrationDetails.json"),
        ),
        "identity/conditionalAccess/policies": (
            "identity/conditionalAccess/policies",
            records(entra / "conditionalAccessPolicies.json"),
        ),
        "roleManagement/directory/roleDefinitions": (
            "roleManagement/directory/roleDefinitions",
            records(entra / "roleDefinitions.json"),
        ),
        "roleManagement/directory/roleAssignmentScheduleInstances": (
            "roleManagement/directory/roleAssignmentScheduleInstances",
            records(entra / "roleAssignmentScheduleInstances.json"),
        ),
        "roleManagement/directory/roleAssignments": (
            "roleManagement/directory/roleAssignments",
            records(entra / "roleAssignments.json"),
        ),
        "roleManagement/directory/roleEligibilityScheduleInstances": (
            "roleManagement/directory/roleEligibilityScheduleInstances",
            records(entra / "roleEligibilityScheduleInstances.json"),
        ),
        "groups": ("groups(members())", records(entra / "groups.json")),
        "organization": ("organization", records(entra / "organization.json")),
        "auditLogs/signIns": ("auditLogs/signIns", records(entra / "signIns.json")),
    }
    for path, (context, items) in collections.items():
        api.routes[("GET", f"/v1.0/{path}")] = _collection(api, path, context, items, page_size)
    managers = [{k: u[k] for k in ("id", "userPrincipalName", "manager") if k in u} for u in users]
    users_route = api.routes[("GET", "/v1.0/users")]
    manager_route = _collection(
        api, "users", "users(id,userPrincipalName,manager())", managers, page_size
    )
    api.routes[("GET", "/v1.0/users")] = lambda seen: (
        manager_route(seen) if seen.query.get("$expand") == "manager" else users_route(seen)
    )
    return api


def _without(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


def _token(seen: Seen) -> Answer:
    if seen.form.get("client_secret") != SECRET:
        return Answer(
            401,
            {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the "
                "secret being sent in the request is the client secret value.\r\nTrace ID: 1",
                "error_codes": [7000215],
            },
        )
    return Answer(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN})


def _collection(api: FakeApi, path: str, context: str, items: list[Any], page_size: int) -> Route:
    """Pages of `page_size` with an @odata.nextLink carrying the query, as Graph pages."""

    def route(seen: Seen) -> Answer:
        if seen.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}})
        start = int(seen.query.get("$skiptoken", "0"))
        page: dict[str, Any] = {
            "@odata.context": f"{api.url}/v1.0/$metadata#{context}",
            "value": [_selected(item, seen.query) for item in items[start : start + page_size]],
        }
        if start + page_size < len(items):
            query = {k: v for k, v in seen.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(start + page_size)
            encoded = "&".join(f"{k}={quote(v, safe='$,()')}" for k, v in query.items())
            page["@odata.nextLink"] = f"{api.url}/v1.0/{path}?{encoded}"
        return Answer(200, page)

    return route


def _selected(item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    """Only the properties $select names (and the $expand-ed one), as Graph answers."""
    if "$select" not in query:
        return item
    keep = {*query["$select"].split(","), query.get("$expand"), "@odata.type"}
    return {key: value for key, value in item.items() if key in keep}


def graph_error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message}})


# --- Okta ----------------------------------------------------------------------------------


def okta_api(page_size: int = 2) -> FakeApi:
    """The Okta Management API calls the collector makes, from tests/audit/data/okta."""
    api = FakeApi()
    okta = DATA / "okta"
    users = records(okta / "users.json")
    members = {line["groupId"]: line["users"] for line in records(okta / "group-members.jsonl")}
    factors = {line["userId"]: line["factors"] for line in records(okta / "factors.jsonl")}
    roles = {line["userId"]: line["roles"] for line in records(okta / "roles.jsonl")}
    policies = records(okta / "policies.json")
    by_id = {u["id"]: u for u in users}
    api.routes[("GET", "/api/v1/users")] = _okta_list(api, users, page_size)
    api.routes[("GET", "/api/v1/groups")] = _okta_list(
        api, records(okta / "groups.json"), page_size
    )
    api.routes[("GET", "/api/v1/logs")] = _okta_list(
        api, records(okta / "logs.json"), page_size, polling=True
    )
    api.routes[("GET", "/api/v1/policies")] = _okta_policies(policies)

    def per_id(seen: Seen) -> Answer:
        parts = seen.path.split("/")  # ['', 'api', 'v1', collection, id, what]
        collection, item, what = parts[3], parts[4], parts[5]
        if not _okta_auth(seen):
            return _okta_401()
        if collection == "groups":
            listed = [
                by_id.get(m, {"id": m}) if isinstance(m, str) else m for m in members.get(item, [])
            ]
            return Answer(200, listed)
        if collection == "policies":
            policy = next(p for p in policies if p["id"] == item)
            return Answer(200, policy.get("_embedded", {}).get("rules") or policy.get("rules", []))
        source = factors if what == "factors" else roles
        return Answer(200, source.get(item, []))

    api.prefixes.append(("GET", "/api/v1/", per_id))
    return api


def _okta_auth(seen: Seen) -> bool:
    return seen.headers.get("Authorization") == f"SSWS {OKTA_TOKEN}"


def _okta_401() -> Answer:
    return Answer(401, {"errorCode": "E0000011", "errorSummary": "Invalid token provided"})


def _okta_list(api: FakeApi, items: list[Any], page_size: int, *, polling: bool = False) -> Route:
    """Pages of `limit` (capped at `page_size`) with Link headers, as Okta pages. With
    `polling` the last page still links to a next one, as the System Log does."""

    def route(seen: Seen) -> Answer:
        if not _okta_auth(seen):
            return _okta_401()
        start = int(seen.query.get("after", "0"))
        size = min(int(seen.query.get("limit", "200")), page_size)
        page = items[start : start + size]
        links = [f'<{api.url}{seen.raw_url}>; rel="self"']
        if start + size < len(items) or (polling and page):
            query = {k: v for k, v in seen.query.items() if k != "after"}
            query["after"] = str(start + len(page))
            encoded = "&".join(f"{k}={quote(v)}" for k, v in query.items())
            links.append(f'<{api.url}{seen.path}?{encoded}>; rel="next"')
        return Answer(200, page, {"Link": ", ".join(links)})

    return route


def _okta_policies(policies: list[dict[str, Any]]) -> Route:
    """GET /api/v1/policies?type=…: the policies of that type, without their rules."""

    def route(seen: Seen) -> Answer:
        if not _okta_auth(seen):
            return _okta_401()
        kind = seen.query.get("type")
        listed = [p for p in policies if p.get("type") == kind]
        return Answer(200, [_without(_without(p, "_embedded"), "rules") for p in listed])

    return route
