"""`flask mirror build DIR [--since]`: a static copy of the public site (services/mirror.py)."""

import click

from tribune.services import mirror


@click.group("mirror")
def mirror_cli():
    """Static copies of the public site, for readers who cannot reach it."""


@mirror_cli.command("build")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--since",
    is_flag=True,
    help="Update the copy already in DIRECTORY: threads unchanged since it was made are kept.",
)
@click.option("--quiet", is_flag=True, help="No progress count.")
def mirror_build(directory, since, quiet):
    """Write a copy of the public site into DIRECTORY, readable from a folder, a USB stick,
    any static host or an onion service: open DIRECTORY/index.html."""
    previous = None
    if since:
        previous = mirror.previous_build(directory)
        if previous is None:
            raise click.ClickException(
                f"{directory} holds no copy to update ({mirror.MANIFEST} is missing): "
                "build one without --since first."
            )
    done = [0]

    def progress(count):
        done[0] += count
        if not quiet and done[0] % 500 == 0:
            click.echo(f"{done[0]} pages...", err=True)

    try:
        built = mirror.build(directory, since=previous, progress=progress)
    except mirror.MirrorRefused as error:
        raise click.ClickException(str(error)) from error
    kept = f", {built.kept} unchanged pages kept" if since else ""
    click.echo(f"Wrote {built.pages} pages to {directory}{kept}. Open {directory}/index.html.")
