"""The publication ladder on the real store (SQLite and PostgreSQL): a ward head lowers, raises and asks to
publish; the city leader approves; what each viewer then sees in the unit's indicator list, the lagging
lists and counts, the indicator page, the unit report and the public read. Refusals are audited; bad or
stale input writes nothing; a unit's score does not move with what it shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from data_access.commands.publication import decide_request, set_visibility
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, Indicator, IndicatorRollup, OrgUnit, Period, PublicationRequest
from data_access.queries.indicators import indicator_detail
from data_access.queries.lagging import lagging_count, lagging_indicators, lagging_page
from data_access.queries.people import person_detail
from data_access.queries.public import city_figures, public_units
from data_access.queries.publication import ladder_state
from data_access.queries.reports import unit_report
from data_access.queries.units import unit_figures, unit_indicators
from data_access.viewer import Viewer
from domain.indicators import Status
from domain.publication import Move, Visibility
from tests.conftest import TEST_TODAY
from tests.support.viewers import demo_viewers

YEAR = str(TEST_TODAY.year)
HOAN_KIEM = "W00070"


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def ward_indicator(store: Store, *, lagging: bool = False, code: str | None = None) -> tuple[int, int, int]:
    """(indicator id, its version, the ward's id) of one of Hoan Kiem's own approved indicators this year."""
    statuses = [Status.AT_RISK.value, Status.OFF_TRACK.value] if lagging else [s.value for s in Status]
    with store.read() as session:
        query = (
            select(Indicator.id, Indicator.version, OrgUnit.id)
            .join(OrgUnit, OrgUnit.id == Indicator.unit_id)
            .join(IndicatorRollup, IndicatorRollup.indicator_id == Indicator.id)
            .join(Period, Period.id == IndicatorRollup.period_id)
            .where(
                Period.code == YEAR,
                OrgUnit.code == HOAN_KIEM,
                Indicator.published.is_(True),
                Indicator.visibility == Visibility.CITY.value,
                IndicatorRollup.status.in_(statuses),
            )
            .order_by(Indicator.id)
            .limit(1)
        )
        if code:
            query = query.where(Indicator.code == code)
        row = session.execute(query).first()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])


def version_of(store: Store, indicator_id: int) -> int:
    with store.read() as session:
        return session.execute(select(Indicator.version).where(Indicator.id == indicator_id)).scalar_one()


def listed(store: Store, viewer: Viewer, unit_id: int) -> set[int]:
    with store.read() as session:
        frame = unit_indicators(session, viewer=viewer, unit_id=unit_id, period=YEAR)
        return {int(i) for i in frame["indicator_id"]}


def denied(store: Store, viewer: Viewer) -> int:
    with store.read() as session:
        return session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == viewer.user_id, AuditEntry.outcome == "denied")
        ).scalar_one()


def public_codes(store: Store) -> dict[str, set[str]]:
    with store.read() as session:
        return {u.code: {i.code for i in u.indicators} for u in public_units(session, today=TEST_TODAY)}


def test_a_lowered_indicator_is_kept_from_the_levels_above_but_not_from_its_unit(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    ward_leader, city_leader = people["ward_leader"], people["city_leader"]
    indicator_id, version, ward = ward_indicator(demo_store, lagging=True)
    assert indicator_id in listed(demo_store, city_leader, ward)
    with demo_store.read() as session:
        score_before = unit_figures(session, viewer=city_leader, unit_id=ward, period=YEAR).score
        city_lagging = lagging_count(session, viewer=city_leader, period=YEAR)
        ward_lagging = lagging_count(session, viewer=ward_leader, period=YEAR)

    state = set_visibility(
        demo_store, ward_leader, indicator_id=indicator_id, wanted="unit", effective_from=None, version=version
    )
    assert state.move is Move.LOWER

    assert indicator_id not in listed(demo_store, city_leader, ward)
    assert indicator_id in listed(demo_store, ward_leader, ward)  # inside the unit nothing changes
    with demo_store.read() as session:
        with pytest.raises(NotFound):
            indicator_detail(session, viewer=city_leader, indicator_id=indicator_id, period=YEAR)
        assert indicator_detail(session, viewer=ward_leader, indicator_id=indicator_id, period=YEAR).name
        shown = lagging_indicators(session, viewer=city_leader, period=YEAR, unit_id=ward)
        assert indicator_id not in set(shown["indicator_id"])
        assert indicator_id in set(lagging_indicators(session, viewer=ward_leader, period=YEAR)["indicator_id"])
        # the counts follow the lists: one fewer for the city, the same for the ward
        assert lagging_count(session, viewer=city_leader, period=YEAR) == city_lagging - 1
        assert lagging_count(session, viewer=ward_leader, period=YEAR) == ward_lagging
        page = lagging_page(session, viewer=city_leader, period=YEAR, unit_id=ward, limit=1)
        assert page.total == len(shown)
        # the report a city leader generates for the ward leaves it out; the ward's own keeps it
        name = indicator_detail(session, viewer=ward_leader, indicator_id=indicator_id, period=YEAR).name
        for viewer, present in ((city_leader, False), (ward_leader, True)):
            report = unit_report(session, viewer=viewer, unit_id=ward, period=YEAR)
            names = {kr.name for block in report.objectives for kr in block.key_results}
            lines = {(line.indicator, line.unit) for line in report.lagging}
            assert (name in names) is present
            assert ((name, report.unit_name) in lines) is present
        # the owner's page: the city leader no longer finds it there either
        owner = session.execute(select(Indicator.owner_person_id).where(Indicator.id == indicator_id)).scalar_one()
        assert owner is not None
        for viewer, present in ((city_leader, False), (ward_leader, True)):
            person = person_detail(session, viewer=viewer, person_id=owner, period=YEAR, today=TEST_TODAY)
            assert (indicator_id in set(person.indicators["indicator_id"])) is present
        # the ward's score is what it was: publication chooses what is shown, not what counts
        assert unit_figures(session, viewer=city_leader, unit_id=ward, period=YEAR).score == score_before


def test_published_to_the_public_after_the_level_above_approves_then_lowered_at_once(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    ward_leader, city_leader = people["ward_leader"], people["city_leader"]
    indicator_id, version, _ward = ward_indicator(demo_store, code="KYSO")
    assert "KYSO" not in public_codes(demo_store).get(HOAN_KIEM, set())
    assert {"TTHC-TT", "DUNGHAN", "HAILONG"} <= public_codes(demo_store)[HOAN_KIEM]  # the demo's published ones

    asked = set_visibility(
        demo_store, ward_leader, indicator_id=indicator_id, wanted="public", effective_from=None, version=version
    )
    assert asked.move is Move.REQUEST and asked.request_id is not None
    assert "KYSO" not in public_codes(demo_store)[HOAN_KIEM]  # waiting for the level above
    with demo_store.read() as session:
        state = ladder_state(session, viewer=city_leader, indicator_id=indicator_id, today=TEST_TODAY)
        own = ladder_state(session, viewer=ward_leader, indicator_id=indicator_id, today=TEST_TODAY)
    assert state is not None and state.may_approve and state.request_id == asked.request_id
    assert own is not None and own.may_set and not own.may_approve

    before = denied(demo_store, ward_leader)
    with pytest.raises(Forbidden):  # the ward's head does not approve its own publication
        decide_request(
            demo_store, ward_leader, request_id=asked.request_id, approve=True, version=state.request_version
        )
    assert denied(demo_store, ward_leader) == before + 1

    decide_request(demo_store, city_leader, request_id=asked.request_id, approve=True, version=state.request_version)
    assert "KYSO" in public_codes(demo_store)[HOAN_KIEM]

    set_visibility(
        demo_store,
        ward_leader,
        indicator_id=indicator_id,
        wanted="parent",
        effective_from=None,
        version=version_of(demo_store, indicator_id),
    )
    assert "KYSO" not in public_codes(demo_store)[HOAN_KIEM]
    with demo_store.read() as session:
        actions = session.execute(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "indicator", AuditEntry.entity_id == str(indicator_id))
            .order_by(AuditEntry.id)
        ).scalars()
        assert list(actions) == [
            "indicator.visibility.request",
            "publication.approve",
            "indicator.visibility.lower",
        ]


def test_a_raise_takes_effect_on_its_date_and_lowering_withdraws_a_waiting_request(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    ward_leader, city_leader = people["ward_leader"], people["city_leader"]
    indicator_id, version, ward = ward_indicator(demo_store)
    set_visibility(
        demo_store, ward_leader, indicator_id=indicator_id, wanted="unit", effective_from=None, version=version
    )
    later = TEST_TODAY + timedelta(days=10)
    set_visibility(
        demo_store,
        ward_leader,
        indicator_id=indicator_id,
        wanted="city",
        effective_from=later,
        version=version_of(demo_store, indicator_id),
    )
    assert indicator_id not in listed(demo_store, city_leader, ward)  # not yet
    with demo_store.read() as session:
        state = ladder_state(session, viewer=ward_leader, indicator_id=indicator_id, today=TEST_TODAY)
        assert state is not None
        assert (state.in_force, state.scheduled, state.scheduled_from) == (Visibility.UNIT, Visibility.CITY, later)
        arrived = ladder_state(session, viewer=ward_leader, indicator_id=indicator_id, today=later)
        assert arrived is not None and arrived.in_force is Visibility.CITY

    asked = set_visibility(
        demo_store,
        ward_leader,
        indicator_id=indicator_id,
        wanted="public",
        effective_from=later,
        version=version_of(demo_store, indicator_id),
    )
    set_visibility(
        demo_store,
        ward_leader,
        indicator_id=indicator_id,
        wanted="unit",
        effective_from=None,
        version=version_of(demo_store, indicator_id),
    )
    with demo_store.read() as session:
        request = session.get(PublicationRequest, asked.request_id)
        assert request is not None and request.status == "withdrawn"
        state = ladder_state(session, viewer=ward_leader, indicator_id=indicator_id, today=later)
        assert state is not None and state.in_force is Visibility.UNIT and state.request_id is None
    with pytest.raises(Invalid):  # nothing left to approve
        decide_request(demo_store, city_leader, request_id=asked.request_id or 0, approve=True, version=request.version)


def test_refusals_bad_input_and_stale_versions_write_nothing(demo_store: Store, people: dict[str, Viewer]) -> None:
    indicator_id, version, _ward = ward_indicator(demo_store)
    # over the ward but not its head: the city's manager and the administrator
    for viewer in (people["city_manager"], people["admin"]):
        before = denied(demo_store, viewer)
        with pytest.raises(Forbidden):
            set_visibility(
                demo_store, viewer, indicator_id=indicator_id, wanted="unit", effective_from=None, version=version
            )
        assert denied(demo_store, viewer) == before + 1
    # outside the scope (a division's staff, a science division's head): it does not even exist
    for viewer in (people["ward_staff"], people["manager"]):
        with pytest.raises(NotFound):
            set_visibility(
                demo_store, viewer, indicator_id=indicator_id, wanted="unit", effective_from=None, version=version
            )
    head = people["ward_leader"]
    with pytest.raises(Invalid):
        set_visibility(
            demo_store, head, indicator_id=indicator_id, wanted="everyone", effective_from=None, version=version
        )
    with pytest.raises(Invalid):  # a raise cannot start in the past
        set_visibility(
            demo_store,
            head,
            indicator_id=indicator_id,
            wanted="public",
            effective_from=TEST_TODAY - timedelta(days=1),
            version=version,
        )
    with pytest.raises(Conflict):
        set_visibility(
            demo_store, head, indicator_id=indicator_id, wanted="unit", effective_from=None, version=version - 1
        )
    assert version_of(demo_store, indicator_id) == version
    with demo_store.read() as session:
        assert session.execute(select(func.count()).select_from(PublicationRequest)).scalar_one() == 0


def test_the_public_read_names_no_one(demo_store: Store) -> None:
    with demo_store.read() as session:
        units = public_units(session, today=TEST_TODAY)
    # the city's figures: each citizen-facing indicator over the wards that publish it
    figures = city_figures(units)
    assert [f.code for f in figures][:3] == ["TTHC-TT", "DUNGHAN", "HAILONG"]
    online = figures[0]
    values = [i.value for u in units for i in u.indicators if i.code == "TTHC-TT" and i.value is not None]
    assert online.n_units == len([u for u in units if any(i.code == "TTHC-TT" for i in u.indicators)])
    assert online.value == pytest.approx(sum(values) / len(values))
    hoan_kiem = next(u for u in units if u.code == HOAN_KIEM)
    # citizen-facing first, in their order
    assert [i.code for i in hoan_kiem.indicators][:3] == ["TTHC-TT", "DUNGHAN", "HAILONG"]
    assert hoan_kiem.search_key == "phuong hoan kiem"
    assert all(i.trend for i in hoan_kiem.indicators)
