"""HTTP for the live collectors: TLS, timeouts, bounded retries, rate limits, paging, safe errors.

Every collector talks to its API through a `Client`, so that the rules a tool holding an
organisation's admin credentials must keep live in one place:

- TLS is always verified (`ca_bundle` may name the CA of a TLS-inspecting proxy; nothing turns
  verification off). Plain `http://` is refused unless the host is loopback, which only tests
  use. Redirects are not followed.
- Credentials go only to the origin the client was made for: a paging link pointing elsewhere
  is refused, not followed with the token.
- No secret reaches a log, an error or an exception's text. Messages are built here from the
  method, the endpoint (without its query) and the API's own error code and text, and every
  secret the client knows (those given to it, each Authorization value it sent) is masked in
  them. Failures of `requests` are re-raised as `HttpError` without chaining.
- 429, 500, 502, 503, 504 and connection failures are retried up to `Retry.attempts` tries in
  all. 429 (and 503) wait as the server says: `Retry-After` in seconds or as an HTTP date, else
  Okta's `X-Rate-Limit-Reset` (epoch seconds), both measured against the response's `Date` so a
  skewed local clock does not matter; other failures back off exponentially from
  `Retry.backoff`. When `X-Rate-Limit-Remaining` falls below `Retry.slow_below` of
  `X-Rate-Limit-Limit`, the remaining requests are spread over the time left until the reset.
- 401, 403 and 404 raise `Unauthorized`, `Forbidden` and `NotFound`, whose text names the
  endpoint, the API's error and what the caller said the call `needs` (a permission, a scope,
  a licence).

The whole API:

    client = Client("https://graph.microsoft.com/v1.0", auth=lambda: f"Bearer {token}")
    answer = client.get_json("organization", needs="Organization.Read.All")
    for page in odata_pages(client, "users", {"$select": "id"}, needs="User.Read.All"): ...
    for records in link_pages(client, "/api/v1/users", {"limit": "200"}, needs="..."): ...
    client.post_form(url, {"grant_type": ...})   # token endpoints
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"})
"""Google APIs often say "slow down" with a 403 and one of these `error.errors[].reason`."""
"""Answers that say "not now" rather than "no": worth asking again."""

_MIN_SECRET = 4
"""Shorter strings are not masked: masking "a" would garble every message, and no real
secret is that short."""

_DETAIL_CHARS = 300

Waiting = Callable[[float, str], None]
"""Told (seconds, why) before every wait, so a command can show that it is not stuck."""


@dataclass(frozen=True, slots=True)
class Retry:
    """How long to keep trying. Tests shrink `backoff`; the rest suits every API here."""

    attempts: int = 6
    """Tries in all, the first included."""
    backoff: float = 1.0
    """Seconds before the first retry after a 5xx or connection failure; doubles each time."""
    max_wait: float = 300.0
    """The longest single wait honoured; a server asking for more is reported, not obeyed."""
    timeout: tuple[float, float] = (10.0, 120.0)
    """(connect, read) seconds: Graph sign-in log pages can take a minute to compute."""
    slow_below: float = 0.1
    """Spread requests out once fewer than this share of the rate limit remains."""


class HttpError(Exception):
    """A request that failed for good. Its text names the endpoint and never a secret."""

    def __init__(
        self, message: str, *, endpoint: str, status: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status = status
        self.code = code
        """The API's own error code (Graph `error.code`, OAuth `error`, Okta `errorCode`)."""


class Unauthorized(HttpError):
    """401: the credentials themselves were refused; every other call will fail too."""


class Forbidden(HttpError):
    """403: the credentials work but lack this call's permission, scope or licence."""


class NotFound(HttpError):
    """404: wrong tenant or org URL, or an API this tenant does not have."""


class Unavailable(HttpError):
    """Still failing (429, 5xx, no connection) after every retry."""


def check_base_url(url: str) -> str:
    """`url` without a trailing slash, if it is https (or http to a loopback host).

    Raises ValueError otherwise: plain http would carry the token across the network in clear.
    """
    parts = urlsplit(url.strip())
    if parts.username or parts.password:
        raise ValueError("the URL must not contain a user name or password")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"not an https URL: {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"refusing plain http to {parts.hostname}: credentials would cross the network "
            "unencrypted; use https"
        )
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


class Client:
    """Requests to one API origin, with the rules of the module docstring.

    `auth` returns the Authorization header value and is called before every request, so a
    caller can renew an expiring token there. `secrets` are masked in every message.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Callable[[], str] | None = None,
        secrets: Iterable[str] = (),
        ca_bundle: str | None = None,
        retry: Retry | None = None,
        on_wait: Waiting | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._origin = _origin(self.base_url)
        self._auth = auth
        self._secrets = {secret for secret in secrets if len(secret) >= _MIN_SECRET}
        self._verify: bool | str = ca_bundle or True
        self.retry = retry or Retry()
        self._on_wait = on_wait
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"

    def get(
        self, url: str, params: Mapping[str, str] | None = None, *, needs: str = ""
    ) -> requests.Response:
        """GET `url` (absolute, or relative to the base URL) with `params` added to its query."""
        return self._send("GET", self._url(url, params), needs=needs)

    def get_json(
        self, url: str, params: Mapping[str, str] | None = None, *, needs: str = ""
    ) -> Any:
        return self.json(self.get(url, params, needs=needs))

    def post_form(self, url: str, form: Mapping[str, str], *, needs: str = "") -> Any:
        """POST a form (OAuth token endpoints) and return the JSON answer."""
        return self.json(self._send("POST", self._url(url, None), needs=needs, form=form))

    def json(self, response: requests.Response) -> Any:
        """The JSON body of a successful answer; HttpError when it is not JSON."""
        try:
            return response.json()
        except ValueError:
            raise HttpError(
                f"{response.request.method} {self.endpoint(response.url)} answered "
                f"{response.status_code} with something that is not JSON",
                endpoint=self.endpoint(response.url),
                status=response.status_code,
            ) from None

    def endpoint(self, url: str) -> str:
        """`url` as messages show it: scheme, host and path, no query (filters, tokens)."""
        parts = urlsplit(url if urlsplit(url).scheme else f"{self.base_url}/{url.lstrip('/')}")
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"

    # --- sending --------------------------------------------------------------------------

    def _url(self, url: str, params: Mapping[str, str] | None) -> str:
        absolute = url if urlsplit(url).scheme else f"{self.base_url}/{url.lstrip('/')}"
        parts = urlsplit(absolute)
        if parts.username or parts.password or _origin(absolute) != self._origin:
            raise HttpError(
                f"refusing to send credentials to {_origin(absolute)}: this client was made "
                f"for {self._origin}",
                endpoint=self.endpoint(absolute),
            )
        if params:
            # OData wants $select, commas and parentheses as written; spaces as %20.
            query = urlencode(params, safe="$,()':", quote_via=quote)
            absolute += ("&" if urlsplit(absolute).query else "?") + query
        return absolute

    def _headers(self) -> dict[str, str]:
        if self._auth is None:
            return {}
        value = self._auth()
        self._secrets.update(
            part for part in (value, value.partition(" ")[2]) if len(part) >= _MIN_SECRET
        )
        return {"Authorization": value}

    def _send(
        self, method: str, url: str, *, needs: str, form: Mapping[str, str] | None = None
    ) -> requests.Response:
        endpoint = self.endpoint(url)
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            response = self._attempt(method, url, endpoint, form, last=last)
            if response is None:
                self._wait(self._backoff(attempt), f"{endpoint}: no answer; trying again")
                continue
            if (response.status_code in RETRY_STATUSES or _rate_limited_403(response)) and not last:
                wait = self._retry_wait(response, attempt)
                self._wait(wait, f"{endpoint}: {response.status_code}; trying again")
                continue
            if not 200 <= response.status_code < 300:
                raise self._error(method, endpoint, response, needs)
            self._pace(response, endpoint)
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(
        self,
        method: str,
        url: str,
        endpoint: str,
        form: Mapping[str, str] | None,
        *,
        last: bool,
    ) -> requests.Response | None:
        """One request; None for a connection failure worth retrying."""
        try:
            return self._session.request(
                method,
                url,
                data=form,
                headers=self._headers(),
                timeout=self.retry.timeout,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise HttpError(
                self._scrub(
                    f"{method} {endpoint}: the TLS certificate could not be verified "
                    f"({_first_line(str(exc))}); behind a TLS-inspecting proxy, give its CA "
                    "certificate with --ca-bundle"
                ),
                endpoint=endpoint,
            ) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            if last:
                raise Unavailable(
                    f"{method} {endpoint}: no answer after {self.retry.attempts} tries "
                    f"({type(exc).__name__})",
                    endpoint=endpoint,
                ) from None
            return None

    def _backoff(self, attempt: int) -> float:
        return min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait)

    def _retry_wait(self, response: requests.Response, attempt: int) -> float:
        """What the server asked for (429, 503), else the exponential backoff."""
        asked = _asked_wait(response) if response.status_code in (429, 503) else None
        if asked is None:
            return self._backoff(attempt)
        if asked > self.retry.max_wait:
            raise Unavailable(
                f"{response.request.method} {self.endpoint(response.url)}: rate limited, and "
                f"the server asks to wait {asked:.0f} s (more than {self.retry.max_wait:.0f} s); "
                "try again later",
                endpoint=self.endpoint(response.url),
                status=response.status_code,
            )
        return asked

    def _pace(self, response: requests.Response, endpoint: str) -> None:
        """Spread the requests left in Okta's rate-limit window over the time left in it."""
        remaining = _int_header(response, "X-Rate-Limit-Remaining")
        limit = _int_header(response, "X-Rate-Limit-Limit")
        reset = _int_header(response, "X-Rate-Limit-Reset")
        if remaining is None or limit is None or reset is None or limit <= 0:
            return
        if remaining > max(1.0, limit * self.retry.slow_below):
            return
        wait = min(max(0.0, reset - _server_now(response)) / (remaining + 1), self.retry.max_wait)
        if wait > 0:
            self._wait(wait, f"{endpoint}: {remaining} of {limit} requests left; slowing down")

    def _wait(self, seconds: float, why: str) -> None:
        if self._on_wait is not None:
            self._on_wait(seconds, why)
        time.sleep(seconds)

    # --- errors -----------------------------------------------------------------------------

    def _error(
        self, method: str, endpoint: str, response: requests.Response, needs: str
    ) -> HttpError:
        status = response.status_code
        code, detail = _api_error(response)
        said = ": ".join(part for part in (code, detail) if part)
        text = f"{method} {endpoint} answered {status} {response.reason or ''}".rstrip()
        text += f" ({said})" if said else ""
        kind, hint = _ERRORS.get(status, (HttpError, ""))
        if status in RETRY_STATUSES:
            kind, hint = Unavailable, f"still failing after {self.retry.attempts} tries"
        elif 300 <= status < 400:
            target = self.endpoint(response.headers.get("Location", ""))
            hint = f"redirects are not followed (to {target})"
        if needs and status in (403, 404):
            hint += f"; this call needs {needs}"
        message = self._scrub(f"{text}; {hint}" if hint else text)
        return kind(message, endpoint=endpoint, status=status, code=code)

    def _scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


_ERRORS: dict[int, tuple[type[HttpError], str]] = {
    401: (Unauthorized, "the credentials were refused (wrong, expired or revoked)"),
    403: (Forbidden, "the credentials lack a permission, role or licence this call needs"),
    404: (NotFound, "not found: check the tenant or org URL"),
}


def _api_error(response: requests.Response) -> tuple[str | None, str | None]:
    """(code, message) from the error shapes of Graph, OAuth, Okta and Google APIs."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    if isinstance(error, dict):  # Graph {"error": {"code", "message"}}; Google adds "status"
        code = error.get("status") or error.get("code")
        message = error.get("message")
    elif isinstance(error, str):  # OAuth 2.0 {"error", "error_description"}
        code, message = error, body.get("error_description")
    else:  # Okta {"errorCode", "errorSummary"}
        code, message = body.get("errorCode"), body.get("errorSummary")
    return (
        str(code) if code is not None else None,
        _first_line(message) if isinstance(message, str) else None,
    )


def _first_line(text: str) -> str:
    """The gist of a message: AADSTS errors add trace and correlation ids on later lines."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= _DETAIL_CHARS else line[: _DETAIL_CHARS - 1] + "…"


def _int_header(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _server_now(response: requests.Response) -> float:
    """The server's clock (its Date header), which its reset times are relative to."""
    date = response.headers.get("Date")
    if date:
        try:
            return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            pass
    return time.time()


def _asked_wait(response: requests.Response) -> float | None:
    """Seconds the server asked to wait: Retry-After (seconds or HTTP date), else Okta's
    X-Rate-Limit-Reset; None when it said nothing usable."""
    retry_after = response.headers.get("Retry-After", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    if retry_after:
        try:
            return max(0.0, parsedate_to_datetime(retry_after).timestamp() - _server_now(response))
        except (TypeError, ValueError):
            pass
    reset = _int_header(response, "X-Rate-Limit-Reset")
    if reset is not None:
        # The reset is whole seconds and Date is too: one more second so the window has turned.
        return max(0.0, reset - _server_now(response)) + 1.0
    return None


# --- paging --------------------------------------------------------------------------------


def odata_pages(
    client: Client, url: str, params: Mapping[str, str] | None = None, *, needs: str = ""
) -> Iterator[dict[str, Any]]:
    """Microsoft Graph pages as received, following `@odata.nextLink` (which carries the
    whole query, so `params` go on the first request only)."""
    next_url: str | None = url
    query = params
    while next_url:
        page = client.get_json(next_url, query, needs=needs)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise HttpError(
                f"GET {client.endpoint(next_url)} did not answer a page of records",
                endpoint=client.endpoint(next_url),
            )
        yield page
        following = page.get("@odata.nextLink")
        next_url = _next(client, next_url, following if isinstance(following, str) else None)
        query = None


def link_pages(
    client: Client, url: str, params: Mapping[str, str] | None = None, *, needs: str = ""
) -> Iterator[list[Any]]:
    """Pages that are JSON arrays, following the `Link: <…>; rel="next"` header (Okta).

    An empty page ends the paging: Okta's System Log keeps offering a next link after the
    last event, for polling.
    """
    next_url: str | None = url
    query = params
    while next_url:
        response = client.get(next_url, query, needs=needs)
        records = client.json(response)
        if not isinstance(records, list):
            raise HttpError(
                f"GET {client.endpoint(next_url)} did not answer a list of records",
                endpoint=client.endpoint(next_url),
            )
        yield records
        if not records:
            return
        next_url = _next(client, response.url, response.links.get("next", {}).get("url"))
        query = None


def _next(client: Client, current: str, following: str | None) -> str | None:
    """The next page's URL; a link back to the page just read would loop for ever."""
    if following is None:
        return None
    if following == current:
        raise HttpError(
            f"GET {client.endpoint(current)} links to itself as the next page",
            endpoint=client.endpoint(current),
        )
    return following


def _rate_limited_403(response: requests.Response) -> bool:
    """A Google-style 403 that means "too fast", not "not allowed": worth retrying."""
    if response.status_code != 403:
        return False
    try:
        errors = response.json().get("error", {}).get("errors", [])
    except (ValueError, AttributeError):
        return False
    return any(isinstance(e, dict) and e.get("reason") in RATE_LIMIT_REASONS for e in errors)
