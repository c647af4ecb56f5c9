"""Every Excel download goes through the one writer: names that start like a formula (=, +, -, @, tab,
CR) reach the reader's spreadsheet as text. The rankings export wrote 11 live formulas before
(`pandas.to_excel`), e.g. `=HYPERLINK(...)` in a leader's workbook."""

from __future__ import annotations

import base64
import io

import openpyxl
from flask import Flask
from sqlalchemy import select, update

from data_access.models import Indicator, Person, Position
from data_access.seed import DEMO_USERNAMES
from tests.integration.test_import_limits import answer, fire, logged_in
from tests.unit.test_spreadsheets import formula_cells

LINK = '=HYPERLINK("http://evil.example/","FX")'


def _plant(server: Flask, person_username: str) -> None:
    """Names a person, every position and the person's indicators like formulas, as the review did in the database."""
    from data_access.models import User

    with server.extensions["pulse"]["store"].write() as session:
        person_id = session.execute(
            select(User.person_id).where(User.username == DEMO_USERNAMES[person_username])
        ).scalar_one()
        session.execute(update(Person).where(Person.id == person_id).values(full_name=LINK))
        session.execute(update(Position).values(name="=1+9 FX"))
        session.execute(update(Indicator).where(Indicator.owner_person_id == person_id).values(name="@SUM(A1) FX"))


def _workbook(download: dict) -> bytes:
    return base64.b64decode(download["content"])


def test_the_rankings_export_writes_no_live_formula(server: Flask) -> None:
    _plant(server, "staff")
    client, app = logged_in(server, "manager")
    changed = answer(fire(client, app, "rankings-export", {"rankings-export": 1, "rankings-period": "2026"}))
    content = _workbook(changed["rankings-download"]["data"])
    assert formula_cells(content) == 0
    people = openpyxl.load_workbook(io.BytesIO(content)).worksheets[-1]  # the people sheet comes last
    cells = {str(v) for row in people.iter_rows(values_only=True) for v in row}
    assert "'" + LINK in cells and "'=1+9 FX" in cells  # the names are there, as text


def test_the_entry_template_writes_no_live_formula(server: Flask) -> None:
    _plant(server, "staff")
    client, app = logged_in(server, "staff")
    changed = answer(fire(client, app, "entry-template", {"entry-template": 1, "entry-period": "2026"}))
    content = _workbook(changed["entry-template-download"]["data"])
    assert formula_cells(content) == 0
    names = [row[2] for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert "'@SUM(A1) FX" in names
