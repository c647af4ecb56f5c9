"""`flask --app app people validate FILE` and `units validate FILE`: check a profiles or org-units
file (interchange JSON, or Excel such as /admin/import's templates) against the store before importing
it: the same check as the import page's (the six qualities, what Pulse requires, where units may go),
except the importer's subtree, since the command line has no importing user.

Exit status for scripts: 0 no problem, 1 problems found, 2 the file cannot be read. With
`--format json` standard output is exactly {"records": N, "problems": [...]}.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from config.clock import today
from data_access.record_facts import load_facts
from data_access.record_files import RecordFile, RecordFileError, read_record_file
from data_access.record_imports import placement_problems
from domain.records import (
    STALE_DAYS,
    Problem,
    Quality,
    RecordFacts,
    describe,
    message,
    validate_profiles,
    validate_units,
)
from domain.records.imports import blocks, merged
from server.context import current_settings, current_store
from server.i18n import _, gettext

people_cli = AppGroup("people", help="Personnel records: check a profiles file (JSON or Excel).")
units_cli = AppGroup("units", help="Organisation units: check an org-units file (JSON or Excel).")

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2
Validator = Callable[..., list[Problem]]


def _options(command: Callable[..., None]) -> Callable[..., None]:
    """The options both validate commands share."""
    for option in reversed(
        [
            click.argument("file", type=click.Path(dir_okay=False)),
            click.option(
                "--format",
                "output",
                type=click.Choice(["text", "json"]),
                default="text",
                show_default=True,
                help="text: a readable report; json: {records, problems} for scripts.",
            ),
            click.option(
                "--language", type=click.Choice(["vi", "en", "fr"]), default=None, help="Language of the messages."
            ),
            click.option(
                "--stale-days",
                type=click.IntRange(min=1),
                default=STALE_DAYS,
                show_default=True,
                help="A record last updated longer ago than this is reported as not live.",
            ),
        ]
    ):
        command = option(command)
    return command


@people_cli.command("validate")
@_options
@click.pass_context
def validate_people(ctx: click.Context, file: str, output: str, language: str | None, stale_days: int) -> None:
    """Check a profiles file against the six qualities and the store; print what to fix."""
    ctx.exit(_validate(file, shape="profiles", output=output, language=language, stale_days=stale_days))


@units_cli.command("validate")
@_options
@click.pass_context
def validate_org_units(ctx: click.Context, file: str, output: str, language: str | None, stale_days: int) -> None:
    """Check an org-units file against the six qualities, the store and the official divisions."""
    ctx.exit(_validate(file, shape="units", output=output, language=language, stale_days=stale_days))


def _validate(path: str, *, shape: str, output: str, language: str | None, stale_days: int) -> int:
    with force_locale(language or current_settings().default_language):
        try:
            read = read_record_file(path, shape=shape)
        except RecordFileError as error:
            click.echo(
                _("Cannot read %(file)s: %(reason)s", file=path, reason=message(error.code, error.params, gettext)),
                err=True,
            )
            return EXIT_UNREADABLE
        with current_store().read() as session:
            facts = _facts(session, read.records, shape)
        validator: Validator = validate_profiles if shape == "profiles" else validate_units
        # The same check as /admin/import's, but for the importer's subtree: the shape, what Pulse itself
        # requires, and where units may go.
        problems = merged(shape, read.records, validator(read.records, facts, today=today(), stale_days=stale_days))
        with current_store().read() as session:
            problems += placement_problems(session, shape, read.records, 0, len(read.records), scope_path=None)
        problems.sort(key=lambda p: p.record)
        rows = describe(problems, gettext)
        if output == "json":
            click.echo(json.dumps({"records": len(read.records), "problems": rows}, ensure_ascii=False))
        else:
            _print_report(path, read, problems, rows)
    return EXIT_PROBLEMS if problems else EXIT_CLEAN


def _facts(session: Any, records: Sequence[Any], shape: str) -> RecordFacts:
    if shape != "profiles":
        return load_facts(session)
    mappings = [r for r in records if isinstance(r, dict)]
    return load_facts(
        session,
        citizen_ids=[str(r.get("citizen_id", "")).strip() for r in mappings],
        civil_servant_codes=[str(r.get("civil_servant_code", "")).strip() for r in mappings],
    )


def _print_report(path: str, read: RecordFile, problems: Sequence[Problem], rows: Sequence[dict[str, Any]]) -> None:
    click.echo(
        _(
            "%(file)s. Records: %(records)s. Problems: %(problems)s.",
            file=path,
            records=len(read.records),
            problems=len(rows),
        )
    )
    if not rows:
        click.echo(_("Every record passes the six qualities."))
        return
    labels = _quality_labels()
    for problem, row in zip(problems, rows, strict=True):
        where = _("Record %(record)s", record=row["record"])
        if read.rows is not None and 0 <= row["record"] < len(read.rows):
            where = _("Record %(record)s (sheet row %(row)s)", record=row["record"], row=read.rows[row["record"]])
        field = f" · {row['field']}" if row["field"] else ""
        note = "" if blocks(problem) else " " + _("(does not stop an import)")
        click.echo(f"{where}{field} · {labels[Quality(row['quality'])]}: {row['message']}{note}")
    counts = Counter(p.quality for p in problems)
    records = len({p.record for p in problems})
    summary = ", ".join(f"{labels[q]} {counts[q]}" for q in Quality if counts[q])
    click.echo(_("Records to fix: %(records)s. Problems by quality: %(summary)s.", records=records, summary=summary))


def _quality_labels() -> dict[Quality, str]:
    return {
        Quality.CORRECT: _("correct"),
        Quality.SUFFICIENT: _("sufficient"),
        Quality.CLEAN: _("clean"),
        Quality.LIVE: _("live"),
        Quality.UNIFIED: _("unified"),
        Quality.SHARED: _("shared"),
    }


def register(server: Any) -> None:
    """Attach `people` and `units` to the Flask CLI."""
    server.cli.add_command(people_cli)
    server.cli.add_command(units_cli)
