"""`flask backup create|check|restore`: a complete copy of the site, and the way back from it
(also the way from SQLite to PostgreSQL: README, "Backups and moving to PostgreSQL")."""

import contextlib

import click

from tribune.services import backup


class _Bar:
    """A click progress bar on stderr fed with (done, total) calls; silent with --quiet."""

    def __init__(self, label, quiet):
        self.label, self.quiet, self.bar, self.shown = label, quiet, None, 0

    def __call__(self, done, total):
        if self.quiet:
            return
        if self.bar is None:
            stream = click.get_text_stream("stderr")
            self.bar = click.progressbar(length=total, label=self.label, file=stream)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def step(self, count):
        self(self.shown + count, self.total)

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@contextlib.contextmanager
def _bars(*labels, quiet=False):
    bars = [_Bar(label, quiet) for label in labels]
    try:
        yield bars
    finally:
        for bar in bars:
            bar.close()


def _refuse(error):
    raise click.ClickException(f"{error} Nothing was changed.")


@click.group("backup")
def backup_cli():
    """Complete backups: everything the site holds but sessions and derived search data."""


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def backup_create(path, quiet):
    """Write a backup of the whole site to PATH (mode 600; it holds password hashes, 2FA
    secrets and e-mail addresses: keep it like the database itself)."""
    try:
        with _bars("Backing up rows", quiet=quiet) as (bar,):
            done = backup.create(path, progress=bar)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from error
    click.echo(
        f"Backed up {done.rows} rows of {done.tables} tables to {path} "
        f"({done.bytes / 1e6:.1f} MB, readable by its owner only)."
    )


def _check_bar(bar, path):
    header = backup.backup_format.read_header(path)
    bar.total = header.total_rows
    return bar.step


@backup_cli.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def backup_check(path, quiet):
    """Read a backup through and check its format version and checksums; changes nothing."""
    try:
        with _bars("Checking rows", quiet=quiet) as (bar,):
            header = backup.check(path, _check_bar(bar, path))
    except backup.BackupInvalid as error:
        raise click.ClickException(f"{path}: {error}") from error
    click.echo(
        f"{path}: a complete backup of {header.total_rows} rows in {len(header.tables)} tables, "
        f"taken {header.created_at} from {header.source} (schema {header.schema or 'unversioned'})."
    )


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--quiet", is_flag=True, help="No progress bars.")
def backup_restore(path, quiet):
    """Restore a backup into this instance's database, which must be empty (SQLite or
    PostgreSQL: TRIBUNE_DATABASE_URL chooses), then derive the search data again."""
    try:
        with _bars("Checking rows", "Restoring rows", "Search data", quiet=quiet) as bars:
            checking, restoring, search = bars
            done = backup.restore(
                path,
                progress=restoring,
                check_progress=_check_bar(checking, path),
                search_progress=search,
            )
    except backup.BackupInvalid as error:
        _refuse(f"{path}: {error}.")
    except backup.NotRestorable as error:
        _refuse(f"cannot restore {path}: {error}")
    click.echo(
        f"Restored {done.rows} rows of {done.tables} tables in {done.rows_seconds} s"
        f"{' (schema built first)' if done.schema_built else ''}; search data derived again "
        f"for {done.search_posts} posts in {done.search_seconds} s."
    )
