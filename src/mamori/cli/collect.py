"""`mamori collect entra|okta|aws|gws --out DIR`: identity exports fetched live, for `audit`.

Secrets come from an environment variable, an option, or `--secret-file` (a file others cannot
read), never from a positional argument, and are never printed. An option is visible to every
user of the machine in the process list, so the environment or a file is the better place.
Exit 0 when something was written (what could not be collected is listed as a warning), 2 when
nothing was.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from mamori.audit.collect.aws import collect_aws
from mamori.audit.collect.entra import GRAPH_URL, LOGIN_URL, EntraSettings, collect_entra
from mamori.audit.collect.gws import collect_gws
from mamori.audit.collect.http import Waiting, check_base_url
from mamori.audit.collect.okta import OktaSettings, collect_okta
from mamori.audit.collect.output import Collected, CollectError
from mamori.cli.common import Exit, err, fail, show_progress
from mamori.timefmt import DEFAULT_TZ, parse_user_time, zone

app = typer.Typer(
    help="Collect identity exports live from the APIs, for `mamori audit DIR`.",
    no_args_is_help=True,
)

DEFAULT_DAYS = 30
"""Sign-in history fetched by default: what Entra keeps (with P1/P2) and a month of Okta."""

Out = Annotated[
    Path, typer.Option("--out", "-o", help="Folder to write into (entra/, okta/, aws/, gws/).")
]
Since = Annotated[
    str | None,
    typer.Option("--since", help=f"Sign-ins from this time on (default: {DEFAULT_DAYS} days ago)."),
]
Tz = Annotated[str, typer.Option("--tz", help="Zone of a --since without one.")]
SecretFile = Annotated[
    Path | None,
    typer.Option("--secret-file", help="Read the secret from this file (others must not read it)."),
]
CaBundle = Annotated[
    Path | None,
    typer.Option("--ca-bundle", help="CA certificate(s) of a TLS-inspecting proxy (PEM)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]


@app.command("entra")
def entra(
    out: Out,
    tenant: Annotated[
        str, typer.Option("--tenant", envvar="MAMORI_ENTRA_TENANT", help="Tenant id or domain.")
    ],
    client_id: Annotated[
        str,
        typer.Option("--client-id", envvar="MAMORI_ENTRA_CLIENT_ID", help="App (client) id."),
    ],
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            envvar="MAMORI_ENTRA_CLIENT_SECRET",
            help="Better set in the environment variable or --secret-file.",
            show_default=False,
        ),
    ] = None,
    secret_file: SecretFile = None,
    since: Since = None,
    tz: Tz = DEFAULT_TZ,
    graph_url: Annotated[
        str, typer.Option("--graph-url", help="Graph for national clouds (graph.microsoft.us…).")
    ] = GRAPH_URL,
    login_url: Annotated[
        str, typer.Option("--login-url", help="Sign-in endpoint for national clouds.")
    ] = LOGIN_URL,
    ca_bundle: CaBundle = None,
    quiet: Quiet = False,
) -> None:
    """Microsoft Entra ID through Microsoft Graph, as an app (client credentials).

    The app needs the application permissions User.Read.All, GroupMember.Read.All,
    AuditLog.Read.All, Policy.Read.All, RoleManagement.Read.Directory and Organization.Read.All,
    with admin consent. Give the secret in MAMORI_ENTRA_CLIENT_SECRET or with --secret-file.
    """
    secret = _secret("--client-secret", client_secret, secret_file, "MAMORI_ENTRA_CLIENT_SECRET")
    _check_urls(graph_url, login_url)
    settings = EntraSettings(
        tenant=tenant.strip(),
        client_id=client_id.strip(),
        client_secret=secret,
        since=_since(since, tz),
        graph_url=graph_url,
        login_url=login_url,
        ca_bundle=_ca_bundle(ca_bundle),
    )
    _run(
        lambda progress, wait: collect_entra(settings, out, progress=progress, on_wait=wait), quiet
    )


@app.command("okta")
def okta(
    out: Out,
    org_url: Annotated[
        str,
        typer.Option(
            "--org-url", envvar="MAMORI_OKTA_ORG_URL", help="https://<org>.okta.com (not -admin)."
        ),
    ],
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="MAMORI_OKTA_TOKEN",
            help="API token; better set in the environment variable or --secret-file.",
            show_default=False,
        ),
    ] = None,
    secret_file: SecretFile = None,
    since: Since = None,
    tz: Tz = DEFAULT_TZ,
    ca_bundle: CaBundle = None,
    quiet: Quiet = False,
) -> None:
    """Okta through its Management API, with an administrator's API token.

    A Read-Only Administrator's token reads everything collected. Give it in MAMORI_OKTA_TOKEN
    or with --secret-file.
    """
    secret = _secret("--token", token, secret_file, "MAMORI_OKTA_TOKEN")
    settings = OktaSettings(
        org_url=org_url,
        token=secret,
        since=_since(since, tz),
        ca_bundle=_ca_bundle(ca_bundle),
    )
    _run(lambda progress, wait: collect_okta(settings, out, progress=progress, on_wait=wait), quiet)


@app.command("aws")
def aws(
    out: Out,
    profile: Annotated[
        str | None, typer.Option("--profile", help="AWS CLI profile (default: the usual chain).")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Region (IAM is global; picks the partition).")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """AWS IAM through boto3: credential report, account authorization details, MFA devices.

    Credentials come from boto3's usual chain (environment, profile, SSO, instance role). The
    identity needs iam:GenerateCredentialReport, iam:GetCredentialReport,
    iam:GetAccountAuthorizationDetails and iam:ListVirtualMFADevices (the AWS managed
    SecurityAudit policy has them).
    """
    _run(lambda _progress, _wait: collect_aws(out, profile=profile, region=region), quiet)


@app.command("gws")
def gws(
    out: Out,
    key_file: Annotated[
        Path,
        typer.Option(
            "--key-file",
            envvar="MAMORI_GWS_KEY_FILE",
            help="Service-account key (JSON) with domain-wide delegation; others must not read it.",
        ),
    ],
    admin: Annotated[
        str,
        typer.Option("--admin", envvar="MAMORI_GWS_ADMIN", help="Admin user to act as."),
    ],
    ca_bundle: CaBundle = None,
    quiet: Quiet = False,
) -> None:
    """Google Workspace through the Admin SDK (Directory users, Reports login activities).

    Allow the service account's client id in the Admin console (Security > API controls >
    Domain-wide delegation) for the scopes admin.directory.user.readonly and
    admin.reports.audit.readonly.
    """
    _run(
        lambda _progress, wait: collect_gws(
            out,
            key_file=key_file,
            admin=admin.strip(),
            ca_bundle=_ca_bundle(ca_bundle),
            on_wait=wait,
        ),
        quiet,
    )


# --- options -------------------------------------------------------------------------------


def _secret(option: str, given: str | None, secret_file: Path | None, env: str) -> str:
    """The secret from --secret-file, else from the option or its environment variable.

    --secret-file wins over the environment variable (a deliberate choice for this run), but
    giving it together with the option is a mistake worth pointing out.
    """
    from_environment = given is not None and given == os.environ.get(env)
    if secret_file is not None and given and not from_environment:
        raise fail(escape(f"give the secret with {option} or --secret-file, not both"))
    if secret_file is not None:
        return read_secret_file(secret_file)
    if given and given.strip():
        return given.strip()
    raise fail(escape(f"no secret: set {env} or use --secret-file"))


def read_secret_file(path: Path) -> str:
    """The secret in `path`, refused when other users of the machine can read the file.

    Windows has no such mode bits (its ACLs are not checked here).
    """
    try:
        mode = path.stat().st_mode
        if os.name != "nt" and mode & (stat.S_IROTH | stat.S_IWOTH):
            raise fail(
                escape(
                    f"{path} can be read or changed by every user of this machine "
                    f"(mode {stat.filemode(mode)}); restrict it first: chmod 600 {path}"
                )
            )
        secret = path.read_text(encoding="utf-8-sig").strip()
    except OSError as exc:
        raise fail(escape(f"cannot read the secret file {path}: {exc.strerror or exc}")) from None
    except UnicodeDecodeError:
        raise fail(escape(f"the secret file {path} is not UTF-8 text")) from None
    if not secret:
        raise fail(escape(f"the secret file {path} is empty"))
    return secret


def _since(text: str | None, tz: str) -> datetime:
    now = datetime.now(UTC)
    if text is None:
        return now - timedelta(days=DEFAULT_DAYS)
    try:
        moment = parse_user_time(text, zone(tz)).astimezone(UTC)
    except ValueError as exc:
        raise fail(escape(str(exc))) from None
    if moment > now:
        raise fail(escape(f"--since {text} is in the future"))
    return moment


def _check_urls(*urls: str) -> None:
    for url in urls:
        try:
            check_base_url(url)
        except ValueError as exc:
            raise fail(escape(str(exc))) from None


def _ca_bundle(path: Path | None) -> str | None:
    if path is not None and not path.is_file():
        raise fail(escape(f"no such CA bundle: {path}"))
    return str(path) if path is not None else None


# --- running -------------------------------------------------------------------------------

Collector = Callable[[Callable[[str], None], Waiting], Collected]


def _run(collector: Collector, quiet: bool) -> None:
    with _progress(show_progress(quiet)) as (progress, wait):
        try:
            collected = collector(progress, wait)
        except CollectError as exc:
            raise fail(escape(str(exc))) from None
        except OSError as exc:  # the output folder: not writable, a file, a full disk
            raise fail(escape(f"cannot write: {exc}")) from None
    _summary(collected)
    raise typer.Exit(Exit.CLEAN if collected.written else Exit.USAGE)


@contextmanager
def _progress(enabled: bool) -> Iterator[tuple[Callable[[str], None], Waiting]]:
    """A status line on a terminal; nothing otherwise (logs stay clean)."""
    if not enabled:
        yield (lambda _: None), (lambda _seconds, _why: None)
        return
    with err.status("collecting…") as status:

        def wait(seconds: float, why: str) -> None:
            status.update(escape(f"{why} (waiting {seconds:.0f} s)"))

        yield (lambda message: status.update(escape(message))), wait


def _summary(collected: Collected) -> None:
    console = Console(highlight=False, soft_wrap=True)  # paths stay whole, to copy and paste
    for path in collected.written:
        console.print(f"wrote {path} ({_size(path)})", markup=False)
    for problem in collected.problems:
        err.print(f"[yellow]warning:[/yellow] {escape(problem)}", soft_wrap=True)
    if collected.written:
        folder = collected.written[0].parent.parent
        console.print(f"next: mamori audit {folder}", markup=False)
    else:
        err.print("[bold red]error:[/bold red] nothing could be collected")


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size:,} bytes" if size < 1 << 20 else f"{size / (1 << 20):,.1f} MiB"
