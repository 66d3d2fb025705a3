"""`muster demo-code`: the demo's sign-in code, for trying Muster without a phone."""

from __future__ import annotations

import click

from muster.cli.common import django_setup


@click.command(name="demo-code")
@click.argument("username")
def demo_code(username: str) -> None:
    """Print the current 6-digit sign-in code of a demo account (made by `muster demo`).

    Only while MUSTER_DEBUG=true and only for the demo's invented accounts; for
    anyone else the code comes from their authenticator app. A code signs in
    once; a new one comes every 30 seconds.

    Example: MUSTER_DEBUG=true muster demo-code demo-admin
    """
    django_setup()
    from muster.accounts.demo import DemoCodeRefused
    from muster.accounts.demo import demo_code as current_demo_code

    try:
        code, seconds_left = current_demo_code(username)
    except DemoCodeRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(code)
    click.echo(f"(changes in {seconds_left} seconds)", err=True)
