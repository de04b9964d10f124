"""The ``handoff`` command line: serve, demo, database, config, sandboxes, users, dead letters."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from handoff.config import ConfigInvalid, json_schema, load_file
from handoff.runtime import StartupError, build_runtime, prepare_database
from handoff.settings import Settings

console = Console()
err = Console(stderr=True, soft_wrap=True)

app = typer.Typer(
    help="Handoff: Marketo → Salesforce lead handoff with a route-ready gate, SLAs, escalation and dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
config_app = typer.Typer(help="Validate handoff.yaml and publish its JSON schema.", no_args_is_help=True)
sandbox_app = typer.Typer(help="Run the Salesforce or Marketo emulator on its own.", no_args_is_help=True)
users_app = typer.Typer(help="Dashboard and API users (roles: viewer, ops, admin).", no_args_is_help=True)
deadletters_app = typer.Typer(
    help="Messages that failed for good: list, show, replay, discard.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(users_app, name="users")
app.add_typer(deadletters_app, name="deadletters")

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="handoff.yaml (default: $HANDOFF_CONFIG_FILE).", show_default=False),
]


class State:
    config: Path | None = None


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def settings(config: Path | None = None, **overrides: object) -> Settings:
    try:
        base = Settings()
    except Exception as exc:  # pydantic ValidationError or an unreadable *_FILE secret
        fail(f"invalid HANDOFF_* environment: {exc}")
        raise
    chosen = config or State.config
    if chosen is not None:
        overrides["config_file"] = chosen
    return base.model_copy(update=overrides) if overrides else base


@app.callback()
def root(config: ConfigOption = None) -> None:
    State.config = config


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    config: ConfigOption = None,
) -> None:
    """Run the Handoff service (API, hooks, dashboard and scheduled jobs)."""
    import uvicorn

    from handoff.app import create_app
    from handoff.logs import configure_logging
    from handoff.settings import SECRET_NAMES

    current = settings(config)
    configure_logging(current.log_level, current.log_format, [current.secret(n) for n in SECRET_NAMES])
    try:
        runtime = build_runtime(current)
    except StartupError as exc:
        fail(str(exc))
    uvicorn.run(create_app(runtime), host=host, port=port, log_config=None, proxy_headers=True)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port of the dashboard and API.")] = 8000,
    data_dir: Annotated[
        Path, typer.Option(help="Where the demo keeps its SQLite database, keys and config.")
    ] = Path("handoff-data"),
    seed: Annotated[
        int, typer.Option(help="Seed of the synthetic world (same seed, same organisation).")
    ] = 7,
    days: Annotated[
        float, typer.Option(help="Days of history lived through Handoff before going live.")
    ] = 30,
) -> None:
    """Everything on one laptop: both sandboxes, a seeded world, and the service on http://127.0.0.1:PORT."""
    from handoff.demo import run_demo
    from handoff.logs import configure_logging

    configure_logging("WARNING", "text")
    try:
        run_demo(port=port, data_dir=data_dir, seed=seed, days=days)
    except StartupError as exc:
        fail(str(exc))


def _parse_since(text: str) -> timedelta:
    units = {"d": "days", "h": "hours", "w": "weeks"}
    number, unit = text[:-1], text[-1:]
    if unit not in units or not number.isdigit() or int(number) <= 0:
        fail(f"--since {text!r}: give a positive number with d, h or w, e.g. 30d")
    return timedelta(**{units[unit]: int(number)})


@app.command()
def simulate(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The proposed handoff.yaml (its routing section).")
    ],
    since: Annotated[str, typer.Option(help="How far back to replay: 30d, 12h, 8w.")] = "30d",
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    max_listed: Annotated[int, typer.Option(help="Leads listed whose outcome changes.")] = 200,
) -> None:
    """Replay past handoffs through a proposed routing config, writing nothing, and report what would change."""
    from routing.documents import parse_document, routing_config_of
    from routing.simulate import simulate as replay
    from routing.simulate_report import report_json, report_text
    from routing.versions import ConfigVersions

    window = _parse_since(since)
    try:
        text = config.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {config}: {exc.strerror}")
    parsed = parse_document(text)
    if parsed.routing is None:
        for path, message in parsed.errors:
            err.print(f"{config}: {path}: {message}", highlight=False, markup=False)
        raise typer.Exit(2)
    with _session() as session:
        now = datetime.now(UTC)
        active = ConfigVersions(session, lambda: now).active()
        baseline = routing_config_of(active.document) if active is not None else None
        report = replay(session, parsed.routing, now - window, now, baseline=baseline, max_listed=max_listed)
        session.rollback()
    if json_output:
        sys.stdout.write(json.dumps(report_json(report), indent=2, default=str) + "\n")
    else:
        console.print(report_text(report), highlight=False, markup=False)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from handoff import db

    current = settings()
    engine = db.make_db_engine(current.resolved_database_url)
    try:
        status = db.upgrade(engine, revision)
    except db.DatabaseUnavailable as exc:
        fail(str(exc))
    console.print(f"database at revision {status.current} (head {status.head})")


@db_app.command("status")
def db_status() -> None:
    """Show the schema revision of the database and whether it is current."""
    from handoff import db

    current = settings()
    engine = db.make_db_engine(current.resolved_database_url)
    try:
        status = db.migration_status(engine)
    except db.DatabaseUnavailable as exc:
        fail(str(exc))
    console.print(
        f"current: {status.current or 'none'}  head: {status.head}  up to date: {status.is_current}"
    )
    if not status.is_current:
        raise typer.Exit(1)


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration changes.")],
    rev_id: Annotated[str | None, typer.Option(help="Revision id (default: generated).")] = None,
) -> None:
    """For developers: write a new migration from the difference between the models and the database."""
    from alembic import command

    from handoff import db

    engine = db.make_db_engine(settings().resolved_database_url)
    command.revision(db.alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id)


@config_app.command("check")
def config_check(file: Annotated[Path, typer.Argument(help="The YAML file to validate.")]) -> None:
    """Validate a config; print every error with its path; exit status 2 on any error."""
    try:
        load_file(file)
    except ConfigInvalid as exc:
        for error in exc.errors:
            err.print(f"{file}: {error}", highlight=False, markup=False)
        err.print(f"{len(exc.errors)} error(s)", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"{file}: valid")


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON schema of handoff.yaml (for editors and CI)."""
    sys.stdout.write(json_schema() + "\n")


@sandbox_app.command("salesforce")
def sandbox_salesforce(
    port: Annotated[int, typer.Option(help="TCP port.")] = 8100,
    host: Annotated[str, typer.Option(help="Interface.")] = "127.0.0.1",
    tls: Annotated[
        bool, typer.Option("--tls", help="HTTPS with a generated CA (written as ca_file).")
    ] = False,
    world: Annotated[int | None, typer.Option(help="Seed the synthetic world with this seed.")] = None,
    credentials_out: Annotated[
        Path | None, typer.Option(help="Write the client credentials JSON here.")
    ] = None,
    persist: Annotated[
        Path | None, typer.Option(help="Keep state in this SQLite file across restarts.")
    ] = None,
) -> None:
    """Serve the Salesforce emulator (OAuth, REST, SOQL, assignment rules, Outbound Messages)."""
    from sandbox.salesforce import run

    seed_fn = None
    if world is not None:
        from sandbox.world import salesforce_seeder

        seed_fn = salesforce_seeder(world)
    run(host, port, tls=tls, credentials_out=credentials_out, persist=persist, seed=seed_fn)


@sandbox_app.command("marketo")
def sandbox_marketo(
    port: Annotated[int, typer.Option(help="TCP port.")] = 8200,
    host: Annotated[str, typer.Option(help="Interface.")] = "127.0.0.1",
    world: Annotated[int | None, typer.Option(help="Seed the synthetic world with this seed.")] = None,
    credentials_out: Annotated[
        Path | None, typer.Option(help="Write the client credentials JSON here.")
    ] = None,
) -> None:
    """Serve the Marketo emulator (identity, Lead DB, activities, programs, webhooks)."""
    from sandbox.marketo import run

    seed_fn = None
    if world is not None:
        from sandbox.world import marketo_seeder

        seed_fn = marketo_seeder(world)
    run(host, port, credentials_out=credentials_out, seed=seed_fn)


def _session():
    from handoff.db import session_factory

    try:
        engine = prepare_database(settings(), migrate=False)
    except StartupError as exc:
        fail(str(exc))
    return session_factory(engine)()


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer | ops | admin")] = "viewer",
    email: Annotated[str | None, typer.Option(help="Where notifications go.")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="HANDOFF_NEW_USER_PASSWORD"
        ),
    ] = "",
) -> None:
    """Add a user (the password is prompted for, or read from $HANDOFF_NEW_USER_PASSWORD)."""
    from dashboard.auth import AuthError, UserService

    with _session() as session:
        try:
            user = UserService(session).add(username, password, role, email)
        except AuthError as exc:
            fail(str(exc))
        session.commit()
        console.print(f"added {user.username} ({user.role})")


@users_app.command("list")
def users_list() -> None:
    """List users and their roles."""
    from dashboard.auth import UserService

    with _session() as session:
        table = Table("username", "role", "email", "status", "last login")
        for user in UserService(session).list():
            table.add_row(
                user.username,
                user.role,
                user.email or "",
                "disabled" if user.disabled else "active",
                user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never",
            )
        console.print(table)


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Disable a user and revoke their API tokens."""
    from dashboard.auth import AuthError, UserService

    with _session() as session:
        try:
            UserService(session).set_disabled(username, True)
        except AuthError as exc:
            fail(str(exc))
        session.commit()
        console.print(f"disabled {username}")


@users_app.command("token")
def users_token(
    username: str, name: Annotated[str, typer.Option(help="What the token is for.")] = "cli"
) -> None:
    """Issue an API token for a machine client acting as USERNAME (printed once)."""
    from dashboard.auth import AuthError, UserService

    with _session() as session:
        try:
            token = UserService(session).issue_token(username, name)
        except AuthError as exc:
            fail(str(exc))
        session.commit()
        console.print(token, highlight=False, soft_wrap=True)


@deadletters_app.command("list")
def deadletters_list(
    status: Annotated[str, typer.Option(help="open | replayed | discarded | all")] = "open",
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """List dead letters, newest first."""
    from sync.deadletters import list_dead_letters

    with _session() as session:
        table = Table("id", "when", "operation", "class", "attempts", "status", "error")
        for letter in list_dead_letters(session, None if status == "all" else status, limit):
            table.add_row(
                str(letter.id),
                letter.created_at.strftime("%Y-%m-%d %H:%M"),
                letter.operation,
                letter.error_class,
                str(letter.attempts),
                letter.status,
                letter.error[:80],
            )
        console.print(table)


@deadletters_app.command("show")
def deadletters_show(dead_letter_id: int) -> None:
    """Show one dead letter with its full request and error."""
    from sync.deadletters import DeadLetterError, get_dead_letter

    with _session() as session:
        try:
            letter = get_dead_letter(session, dead_letter_id)
        except DeadLetterError as exc:
            fail(str(exc))
        console.print_json(json.dumps(letter.model_dump(mode="json"), default=str))


@deadletters_app.command("replay")
def deadletters_replay(
    dead_letter_id: int, actor: Annotated[str, typer.Option(help="Who replays it.")] = "cli"
) -> None:
    """Put a dead letter back in its queue (same idempotency key: it cannot write twice)."""
    from sync.deadletters import DeadLetterError, replay

    with _session() as session:
        try:
            replay(session, dead_letter_id, actor=actor, now=datetime.now(UTC))
        except DeadLetterError as exc:
            fail(str(exc))
        session.commit()
        console.print(f"dead letter {dead_letter_id} queued for replay")


@deadletters_app.command("discard")
def deadletters_discard(
    dead_letter_id: int, actor: Annotated[str, typer.Option(help="Who discards it.")] = "cli"
) -> None:
    """Mark a dead letter as handled without replaying it."""
    from sync.deadletters import DeadLetterError, discard

    with _session() as session:
        try:
            discard(session, dead_letter_id, actor=actor, now=datetime.now(UTC))
        except DeadLetterError as exc:
            fail(str(exc))
        session.commit()
        console.print(f"dead letter {dead_letter_id} discarded")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
