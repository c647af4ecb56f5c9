"""Emulation on the real store: rankings within position groups and unit kinds, titles and
proposals from approved levels in consecutive years, and the Excel export with its trail.
"""

from __future__ import annotations

from collections import defaultdict
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from data_access.commands import evaluations as commands
from data_access.db import Store
from data_access.errors import Forbidden, NotFound
from data_access.exports import classification_workbook
from data_access.models import Evaluation, Person
from data_access.queries import emulation
from data_access.queries import evaluations as queries
from data_access.seed import DEMO_USERNAMES
from tests.data.test_evaluation_flow import approve_division, viewer_of

PERIOD = "2026-Q3"


@pytest.fixture
def manager(demo_store: Store):  # type: ignore[no-untyped-def]
    return viewer_of(demo_store, DEMO_USERNAMES["manager"])


def test_people_are_ranked_within_their_position_group(demo_store: Store, manager) -> None:  # type: ignore[no-untyped-def]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    with demo_store.read() as session:
        ranks = emulation.rank_people(session, viewer=manager, period_code=PERIOD)
        rows = queries.list_evaluations(session, viewer=manager, period_code=PERIOD)
    assert len(ranks) == len([r for r in rows if r.total is not None])  # the unclassified are not ranked
    groups: dict[str, list[emulation.RankRow]] = defaultdict(list)
    for r in ranks:
        groups[r.group].append(r)
    assert set(groups) == {r.task_group for r in rows if r.total is not None}
    for members in groups.values():
        totals = [m.total for m in members]
        assert totals == sorted(totals, reverse=True)
        assert members[0].rank == 1
        for before, after in zip(members, members[1:], strict=False):  # competition ranking: ties share a rank
            assert after.rank == (before.rank if after.total == before.total else members.index(after) + 1)
    assert all(r.provisional for r in ranks)  # nothing approved yet


def test_units_are_ranked_within_their_kind(demo_store: Store) -> None:
    admin = viewer_of(demo_store, DEMO_USERNAMES["admin"])
    leader = viewer_of(demo_store, DEMO_USERNAMES["ward_leader"])
    commands.open_evaluations(demo_store, viewer=admin, period_code=PERIOD, unit_id=admin.scope_unit_id)
    with demo_store.read() as session:
        city_view = emulation.rank_units(session, viewer=admin, period_code=PERIOD)
        ward_view = emulation.rank_units(session, viewer=leader, period_code=PERIOD)
    kinds = {r.group for r in city_view}
    assert {"ward", "department", "division", "party_board"} <= kinds
    assert [r.rank for r in city_view if r.group == "ward"][0] == 1
    assert len([r for r in city_view if r.group == "ward"]) == 2
    # A ward leader sees only their own ward and its divisions.
    assert {r.group for r in ward_view} == {"ward", "division"}
    assert len([r for r in ward_view if r.group == "ward"]) == 1


def test_staff_and_screens_get_no_rankings(demo_store: Store) -> None:
    for role in ("staff", "screen"):
        who = viewer_of(demo_store, DEMO_USERNAMES[role])
        with demo_store.read() as session, pytest.raises(Forbidden):
            emulation.rank_people(session, viewer=who, period_code=PERIOD)


def test_two_excellent_years_propose_a_commendation(demo_store: Store, manager) -> None:  # type: ignore[no-untyped-def]
    for year in ("2025", "2026"):
        commands.open_evaluations(demo_store, viewer=manager, period_code=year, unit_id=manager.scope_unit_id)
        approve_division(demo_store, manager, year)
    with demo_store.read() as session:
        finals = session.execute(
            select(Evaluation.person_id, Evaluation.period_id, Evaluation.final_level, Person.full_name)
            .join(Person, Person.id == Evaluation.person_id)
            .where(Evaluation.status == "approved")
        ).all()
        proposals = emulation.titles_and_proposals(session, viewer=manager, year=2026)
    by_person: dict[int, list[str]] = defaultdict(list)
    for person_id, _period, level, _name in sorted(finals, key=lambda r: r[1]):
        by_person[person_id].append(level)
    twice = {p for p, levels in by_person.items() if levels == ["excellent", "excellent"]}
    proposed = {p.person_id for p in proposals if p.kind == "proposal" and p.title == "commendation"}
    assert proposed == twice
    titles = {p.person_id: p.title for p in proposals if p.kind == "title"}
    for person_id, levels in by_person.items():
        expected = {"excellent": "emulation_fighter", "good": "advanced_worker"}.get(levels[-1])
        assert titles.get(person_id) == expected
    # Configurable: one excellent year is enough when the rule says so.
    with demo_store.read() as session:
        lenient = emulation.titles_and_proposals(
            session,
            viewer=manager,
            year=2026,
            rules={"proposals": [{"code": "commendation", "level": "excellent", "consecutive_years": 1}]},
        )
    once = {p for p, levels in by_person.items() if levels[-1] == "excellent"}
    assert {p.person_id for p in lenient if p.kind == "proposal"} == once
    assert once, "the demo division has excellent people"


def test_excel_export_lists_the_unit_with_its_trail(demo_store: Store, manager) -> None:  # type: ignore[no-untyped-def]
    commands.open_evaluations(demo_store, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    with demo_store.write() as session:  # a hostile name must not become a formula in the reader's spreadsheet
        session.execute(update(Person).where(Person.id == manager.person_id).values(full_name='=HYPERLINK("http://x")'))
    approve_division(demo_store, manager)
    with demo_store.read() as session:
        content = classification_workbook(session, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
        rows = queries.list_evaluations(session, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id)
    book = load_workbook(BytesIO(content))
    listing = book["Classification"]
    names = [r[2] for r in listing.iter_rows(min_row=3, values_only=True)]
    assert names == [r.person_name if not r.person_name.startswith("=") else "'" + r.person_name for r in rows]
    assert all(not str(n).startswith("=") for n in names)
    lines = list(listing.iter_rows(min_row=3, values_only=True))
    assert [(line[8], line[9]) for line in lines] == [(r.level, r.final_level) for r in rows]
    assert [bool(line[11]) for line in lines] == [r.moved for r in rows]
    assert any(r.moved for r in rows)
    trail = list(book["Approval trail"].iter_rows(min_row=2, values_only=True))
    approvals = [t for t in trail if t[3] == "evaluation.approve"]
    assert len(approvals) == len([r for r in rows if r.status == "approved"])
    assert all(t[2] == manager.username for t in approvals)
    # The division's own evaluation (on the unit scale) has its sheet; the level above has not approved it yet.
    with demo_store.read() as session:
        units = queries.list_evaluations(
            session, viewer=manager, period_code=PERIOD, unit_id=manager.scope_unit_id, people=False
        )
    unit_lines = list(book["Units"].iter_rows(min_row=2, values_only=True))
    assert [(line[1], line[5], line[8]) for line in unit_lines] == [(u.unit_name, u.total, u.status) for u in units]
    assert [u.status for u in units] == ["draft"]


def test_export_outside_scope_is_refused(demo_store: Store, manager) -> None:  # type: ignore[no-untyped-def]
    ward_leader = viewer_of(demo_store, DEMO_USERNAMES["ward_leader"])
    with demo_store.read() as session, pytest.raises(NotFound):
        classification_workbook(session, viewer=ward_leader, period_code=PERIOD, unit_id=manager.scope_unit_id)


def test_the_years_that_propose_a_commendation_come_from_the_rule_set(demo_store: Store, manager, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from config.rulesets import load_ruleset
    from domain.rulesets import RuleSet

    commands.open_evaluations(demo_store, viewer=manager, period_code="2026", unit_id=manager.scope_unit_id)
    approve_division(demo_store, manager, "2026")
    with demo_store.read() as session:
        excellent = set(
            session.execute(
                select(Evaluation.person_id).where(
                    Evaluation.final_level == "excellent", Evaluation.person_id.is_not(None)
                )
            ).scalars()
        )
        two_years = emulation.titles_and_proposals(session, viewer=manager, year=2026)
    assert excellent and not [p for p in two_years if p.kind == "proposal"]  # 2025 was not evaluated
    one_year = RuleSet.from_dict({**load_ruleset("decree_335").to_dict(), "commendation_after_excellent_years": 1})
    monkeypatch.setattr(emulation, "load_ruleset", lambda _name: one_year)
    with demo_store.read() as session:
        proposals = emulation.titles_and_proposals(session, viewer=manager, year=2026)
    assert {p.person_id for p in proposals if p.kind == "proposal" and p.title == "commendation"} == excellent
