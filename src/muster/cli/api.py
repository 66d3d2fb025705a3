"""`muster api`: tokens for the open API (for people and for systems), integration accounts for a
school's MIS, and the OpenAPI schema (muster.api)."""

from __future__ import annotations

import json

import click

from muster.cli.common import acting_user, django_setup, emit, today


@click.group()
def api() -> None:
    """The open API under /api/v1/: tokens, integration accounts, the OpenAPI schema."""


@api.group()
def token() -> None:
    """Bearer tokens: each acts as its user, with exactly that user's reach."""


@token.command("create")
@click.option("--user", "username", required=True, metavar="USERNAME", help="The person or system account.")
@click.option("--name", required=True, help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Make a token and print its secret: the secret is shown this once and stored only as a hash.

    Example: muster api token create --user attendance-lead --name "Register app"
    """
    django_setup()
    from muster.api.actions import create_api_token

    made, secret = create_api_token(user=_user(username), name=name)
    click.echo(f"API token {made.pk} '{made.name}' for {made.user.username}.")
    click.echo("The secret is shown only now; keep it safe (send it as 'Authorization: Bearer <secret>'):")
    click.echo(secret)


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Stop a token working from now on.

    Example: muster api token revoke 3
    """
    django_setup()
    from muster.api.actions import revoke_api_token
    from muster.api.models import ApiToken

    found = ApiToken.objects.filter(pk=token_id).select_related("user").first()
    if found is None:
        raise click.BadParameter(f"no API token {token_id}", param_hint="TOKEN_ID")
    done = revoke_api_token(token=found)
    click.echo(f"API token {done.pk} '{done.name}' of {done.user.username} revoked at {done.revoked_at:%Y-%m-%d %H:%M}.")


@token.command("rate")
@click.argument("token_id", type=int)
@click.argument("per_minute", type=click.IntRange(min=0))
def token_rate(token_id: int, per_minute: int) -> None:
    """Set how many calls a minute a token may make (0: back to the default).

    Example: muster api token rate 3 120
    """
    django_setup()
    from muster.api.actions import set_token_rate
    from muster.api.models import ApiToken

    found = ApiToken.objects.filter(pk=token_id).select_related("user").first()
    if found is None:
        raise click.BadParameter(f"no API token {token_id}", param_hint="TOKEN_ID")
    done = set_token_rate(token=found, per_minute=per_minute or None)
    click.echo(f"API token {done.pk} '{done.name}': {done.rate_per_minute or 'the default'} calls a minute.")


@token.command("list")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def token_list(output: str) -> None:
    """Every token: its user, when made, last used and revoked (never the secret).

    Example: muster api token list
    """
    django_setup()
    from muster.api.models import ApiToken

    rows = [{"id": t.pk, "name": t.name, "user": t.user.username, "prefix": t.prefix,
             "created": f"{t.created:%Y-%m-%d %H:%M}",
             "last_used": f"{t.last_used:%Y-%m-%d %H:%M}" if t.last_used else "",
             "revoked": f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else ""}
            for t in ApiToken.objects.select_related("user")]
    emit(rows, ("id", "name", "user", "prefix", "created", "last_used", "revoked"), output)


@api.command("account")
@click.option("--username", required=True, help="The new system account's username.")
@click.option("--school", "urn", required=True, metavar="URN", help="The school whose MIS it is.")
@click.option("--description", default="MIS integration", show_default=True)
def account(username: str, urn: str, description: str) -> None:
    """Make a system account for a school's MIS: no password, the attendance lead's reach at that
    school only (it records marks and reads its pupils' figures). Then make it a token.

    Example: muster api account --username mis-100001 --school 100001
    """
    django_setup()
    from muster.api.actions import create_integration_account
    from muster.people.models import Organisation

    organisation = Organisation.objects.filter(school__urn=urn).first()
    if organisation is None:
        raise click.BadParameter(f"no school {urn!r}", param_hint="--school")
    made = create_integration_account(username=username, organisation=organisation,
                                      description=description, starts=today())
    click.echo(f"System account {made.user.username} for {organisation}; "
               f"now: muster api token create --user {made.user.username} --name ...")


@api.command("schema")
def schema() -> None:
    """Print the OpenAPI 3 schema served at /api/v1/openapi.json (docs/openapi.json is this output).

    Example: muster api schema > docs/openapi.json
    """
    django_setup()
    from muster.api.api import schema as openapi

    click.echo(json.dumps(openapi(), indent=2, sort_keys=True))


def _user(username: str):
    return acting_user(username, required=True, param_hint="--user")
