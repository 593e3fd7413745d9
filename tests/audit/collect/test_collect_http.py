"""http.Client against a real HTTP server on 127.0.0.1: retries, rate limits, errors, paging."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email.utils import formatdate

import pytest

from mamori.audit.collect.http import (
    Client,
    Forbidden,
    HttpError,
    NotFound,
    Retry,
    Unauthorized,
    Unavailable,
    check_base_url,
    link_pages,
    odata_pages,
)

from fake_apis import Answer, FakeApi, Seen, now_date, serve

FAST = Retry(attempts=3, backoff=0.01)
SECRET = "sup3r-s3cret-value"


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    fake.routes[("GET", "/ok")] = lambda seen: Answer(200, {"value": [1]})
    with serve(fake) as running:
        yield running


def client(api: FakeApi, **kwargs: object) -> tuple[Client, list[tuple[float, str]]]:
    waits: list[tuple[float, str]] = []
    made = Client(
        api.url,
        auth=lambda: f"Bearer {SECRET}",
        retry=kwargs.pop("retry", FAST),  # type: ignore[arg-type]
        on_wait=lambda seconds, why: waits.append((seconds, why)),
        **kwargs,  # type: ignore[arg-type]
    )
    return made, waits


def test_429_waits_as_retry_after_says_in_seconds(api: FakeApi) -> None:
    api.fault("/ok", Answer(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"}))
    made, waits = client(api)
    started = time.monotonic()
    assert made.get_json("ok") == {"value": [1]}
    assert time.monotonic() - started >= 1.0
    assert [seconds for seconds, _ in waits] == [1.0]
    assert api.paths() == ["/ok", "/ok"]


def test_retry_after_as_an_http_date_is_measured_against_the_server_clock(api: FakeApi) -> None:
    # Date says 100 s ago, Retry-After 101 s ago + 1: one second, whatever the local clock says.
    server_now = time.time() - 100
    answer = Answer(
        429,
        None,
        {
            "Date": formatdate(server_now, usegmt=True),
            "Retry-After": formatdate(server_now + 1, usegmt=True),
        },
    )
    api.fault("/ok", answer)
    made, waits = client(api)
    made.get("ok")
    assert 0 < waits[0][0] <= 1.0


def test_okta_rate_limit_reset_is_honoured_on_429(api: FakeApi) -> None:
    reset = int(time.time())
    api.fault("/ok", Answer(429, None, {"X-Rate-Limit-Reset": str(reset), "Date": now_date()}))
    made, waits = client(api)
    made.get("ok")
    assert len(waits) == 1 and 0 < waits[0][0] <= 2.0


def test_requests_slow_down_when_few_remain_in_the_window(api: FakeApi) -> None:
    reset = int(time.time()) + 1
    headers = {
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "3",
        "X-Rate-Limit-Reset": str(reset),
        "Date": now_date(),
    }
    api.routes[("GET", "/ok")] = lambda seen: Answer(200, {"value": []}, headers)
    made, waits = client(api)
    made.get("ok")
    assert len(waits) == 1
    seconds, why = waits[0]
    assert 0 < seconds <= 0.5  # the second left, shared by the 3 requests left and this one
    assert "3 of 100 requests left" in why


def test_5xx_is_retried_with_backoff_then_succeeds(api: FakeApi) -> None:
    api.fault("/ok", Answer(503, None), Answer(502, None))
    made, waits = client(api)
    assert made.get_json("ok") == {"value": [1]}
    assert [seconds for seconds, _ in waits] == [0.01, 0.02]


def test_5xx_that_persists_gives_up_after_the_attempts(api: FakeApi) -> None:
    api.fault("/ok", *[Answer(500, {"error": {"code": "InternalServerError"}})] * 3)
    made, _ = client(api)
    with pytest.raises(Unavailable, match="still failing after 3 tries"):
        made.get("ok")
    assert len(api.seen) == 3


def test_no_server_is_retried_then_reported_without_chaining() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    made = Client(f"http://127.0.0.1:{port}", retry=FAST)
    with pytest.raises(Unavailable, match=r"no answer after 3 tries \(ConnectionError\)") as caught:
        made.get("ok")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_403_names_the_endpoint_the_api_error_and_the_permission_needed(api: FakeApi) -> None:
    api.fault(
        "/ok",
        Answer(
            403,
            {
                "error": {
                    "code": "Authorization_RequestDenied",
                    "message": "Insufficient privileges to complete the operation.",
                }
            },
        ),
    )
    made, _ = client(api)
    with pytest.raises(Forbidden) as caught:
        made.get("ok", {"$select": "id"}, needs="User.Read.All")
    text = str(caught.value)
    assert f"GET {api.url}/ok answered 403" in text
    assert "Authorization_RequestDenied: Insufficient privileges" in text
    assert text.endswith("this call needs User.Read.All")
    assert "$select" not in text  # the endpoint, not the query
    assert caught.value.code == "Authorization_RequestDenied"


def test_401_and_404_have_their_own_errors(api: FakeApi) -> None:
    api.fault(
        "/ok", Answer(401, {"errorCode": "E0000011", "errorSummary": "Invalid token provided"})
    )
    made, _ = client(api)
    with pytest.raises(
        Unauthorized,
        match=r"answered 401 Unauthorized \(E0000011: Invalid token provided\); the credentials were refused",
    ):
        made.get("ok")
    with pytest.raises(NotFound, match="404"):
        made.get("missing")


def test_secrets_never_appear_in_error_text(api: FakeApi) -> None:
    def echo(seen: Seen) -> Answer:
        leaked = f"{seen.headers['Authorization']} and {seen.form.get('client_secret')}"
        return Answer(400, {"error": "invalid_request", "error_description": leaked})

    api.routes[("POST", "/token")] = echo
    made = Client(api.url, secrets=["form-secret-123"], retry=FAST, auth=lambda: f"Bearer {SECRET}")
    with pytest.raises(HttpError) as caught:
        made.post_form("token", {"client_secret": "form-secret-123"})
    text = str(caught.value)
    assert SECRET not in text and "form-secret-123" not in text
    assert "(invalid_request: *** and ***)" in text


def test_redirects_are_not_followed(api: FakeApi) -> None:
    api.fault("/ok", Answer(302, None, {"Location": "https://elsewhere.example/steal"}))
    made, _ = client(api)
    with pytest.raises(HttpError, match="redirects are not followed"):
        made.get("ok")
    assert len(api.seen) == 1


def test_plain_http_is_refused_unless_the_host_is_loopback() -> None:
    assert check_base_url("http://127.0.0.1:8080/v1.0/") == "http://127.0.0.1:8080/v1.0"
    assert check_base_url("http://[::1]:8080") == "http://[::1]:8080"
    assert check_base_url("https://graph.microsoft.com/v1.0") == "https://graph.microsoft.com/v1.0"
    with pytest.raises(ValueError, match=r"refusing plain http to graph\.microsoft\.com"):
        check_base_url("http://graph.microsoft.com/v1.0")
    with pytest.raises(ValueError, match="user name or password") as caught:
        check_base_url("https://admin:hunter2@acme.okta.com")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError, match="not an https URL"):
        check_base_url("ftp://acme.okta.com")


def test_odata_paging_follows_next_links_and_refuses_other_origins(api: FakeApi) -> None:
    pages = {
        "0": {"value": [1, 2], "@odata.nextLink": f"{api.url}/items?$skiptoken=1"},
        "1": {"value": [3], "@odata.nextLink": "https://attacker.example/items?$skiptoken=2"},
    }
    api.routes[("GET", "/items")] = lambda seen: Answer(
        200, pages[seen.query.get("$skiptoken", "0")]
    )
    made, _ = client(api)
    got = []
    with pytest.raises(
        HttpError, match=r"refusing to send credentials to https://attacker\.example"
    ):
        for page in odata_pages(made, "items", {"$select": "id,name"}):
            got.extend(page["value"])
    assert got == [1, 2, 3]
    assert api.seen[0].query == {"$select": "id,name"}
    assert "$select=id,name" in api.seen[0].raw_url  # OData's $ and commas as written
    assert api.seen[1].query == {"$skiptoken": "1"}  # the next link alone, no params again


def test_link_paging_stops_at_an_empty_page_and_detects_loops(api: FakeApi) -> None:
    def logs(seen: Seen) -> Answer:
        after = int(seen.query.get("after", "0"))
        items = [[{"n": 1}], [{"n": 2}], []][after]
        return Answer(200, items, {"Link": f'<{api.url}/logs?after={after + 1}>; rel="next"'})

    api.routes[("GET", "/logs")] = logs
    made, _ = client(api)
    assert list(link_pages(made, "/logs")) == [[{"n": 1}], [{"n": 2}], []]
    api.routes[("GET", "/loop")] = lambda seen: Answer(
        200, [1], {"Link": f'<{api.url}/loop>; rel="next"'}
    )
    with pytest.raises(HttpError, match="links to itself"):
        list(link_pages(made, "/loop"))


def test_the_authorization_value_is_asked_for_before_every_request(api: FakeApi) -> None:
    tokens = iter(["Bearer first-token", "Bearer second-token"])
    made = Client(api.url, auth=lambda: next(tokens), retry=FAST)
    made.get("ok")
    made.get("ok")
    assert [seen.headers["Authorization"] for seen in api.seen] == [
        "Bearer first-token",
        "Bearer second-token",
    ]


def test_google_403_rate_limit_reasons_are_retried_but_real_403s_are_not(api: FakeApi) -> None:
    slow_down = {"error": {"code": 403, "errors": [{"reason": "userRateLimitExceeded"}]}}
    api.fault("/ok", Answer(403, slow_down))
    made, waits = client(api)
    assert made.get_json("ok") == {"value": [1]}
    assert len(waits) == 1 and api.paths() == ["/ok", "/ok"]
    api.fault("/ok", Answer(403, {"error": {"code": 403, "errors": [{"reason": "forbidden"}]}}))
    with pytest.raises(Forbidden):
        made.get_json("ok")
