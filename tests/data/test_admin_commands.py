"""The administration commands on the real store (SQLite and PostgreSQL): the org tree (create,
rename, move, close) and accounts (create, reset a password, deactivate, revoke sessions). Each
write is audited with before and after, a stale version is a Conflict that names who changed it,
bad input writes nothing, and anyone but an administrator of the subtree is refused (audited).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from config.clock import now
from data_access import accounts
from data_access.commands import admin_units as units
from data_access.commands import admin_users as users
from data_access.db import Store
from data_access.errors import Conflict, Forbidden, Invalid, NotFound
from data_access.models import AuditEntry, OrgUnit, Person, User
from data_access.queries import admin as queries
from data_access.viewer import Viewer
from tests.support.viewers import demo_viewers, viewer_of

HOAN_KIEM = "W00070"
TU_LIEM = "W00592"
NON_ADMINS = ("city_leader", "city_manager", "manager", "staff", "ward_staff", "screen")
# The ward's delegated administrators: its unit_admin account, and its leader (scoped to the ward).
DELEGATED = ("unit_admin", "ward_leader")


@pytest.fixture
def people(demo_store: Store) -> dict[str, Viewer]:
    return demo_viewers(demo_store)


def unit_by_code(store: Store, code: str) -> OrgUnit:
    with store.read() as session:
        unit = session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one()
        session.expunge(unit)
        return unit


def node(store: Store, viewer: Viewer, unit_id: int) -> queries.UnitNode:
    with store.read() as session:
        return next(n for n in queries.unit_tree(session, viewer=viewer) if n.id == unit_id)


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def last_audit(store: Store, action: str) -> AuditEntry:
    with store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one()
        session.expunge(entry)
        return entry


def denied(store: Store, viewer: Viewer) -> int:
    with store.read() as session:
        return session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.user_id == viewer.user_id, AuditEntry.outcome == "denied")
        ).scalar_one()


# --- the org tree ------------------------------------------------------------------------------


def test_the_administrator_creates_a_division_under_a_ward(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    state = units.create_unit(
        demo_store, viewer=people["admin"], parent_id=ward.id, kind="division", name="  Phòng   Văn hóa  "
    )
    with demo_store.read() as session:
        made = session.get(OrgUnit, state.unit_id)
        assert made is not None
        assert (made.name, made.kind, made.parent_id, made.active) == ("Phòng Văn hóa", "division", ward.id, True)
        assert made.path == f"{ward.path}{made.id}/" and made.depth == ward.depth + 1
    entry = last_audit(demo_store, "org_unit.create")
    assert entry.user_id == people["admin"].user_id and entry.entity_id == str(state.unit_id)
    assert json.loads(entry.after_json)["name"] == "Phòng Văn hóa"
    assert node(demo_store, people["admin"], state.unit_id).version == state.version


def test_bad_input_writes_nothing_and_says_every_problem(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    before = count(demo_store, OrgUnit)
    with pytest.raises(Invalid) as caught:
        units.create_unit(demo_store, viewer=people["admin"], parent_id=ward.id, kind="ward", name="   ")
    assert caught.value.problems == {"name": "required", "kind": "unknown_choice"}
    with pytest.raises(NotFound):
        units.create_unit(demo_store, viewer=people["admin"], parent_id=987654, kind="division", name="X")
    assert count(demo_store, OrgUnit) == before


@pytest.mark.parametrize("label", NON_ADMINS)
def test_only_administrators_change_the_tree(demo_store: Store, people: dict[str, Viewer], label: str) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    version = node(demo_store, people["admin"], ward.id).version
    before, refusals = count(demo_store, OrgUnit), denied(demo_store, people[label])
    viewer = people[label]
    attempts = [
        lambda: units.create_unit(demo_store, viewer=viewer, parent_id=ward.id, kind="division", name="X"),
        lambda: units.rename_unit(demo_store, viewer=viewer, unit_id=ward.id, version=version, name="X"),
        lambda: units.close_unit(demo_store, viewer=viewer, unit_id=ward.id, version=version),
        lambda: units.move_unit(demo_store, viewer=viewer, unit_id=ward.id, version=version, new_parent_id=1),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    with demo_store.read() as session, pytest.raises(Forbidden):
        queries.unit_tree(session, viewer=viewer)
    assert count(demo_store, OrgUnit) == before
    assert unit_by_code(demo_store, HOAN_KIEM).name == ward.name
    assert denied(demo_store, viewer) == refusals + len(attempts)


@pytest.mark.parametrize("label", DELEGATED)
def test_a_ward_administrator_cannot_touch_another_ward(
    demo_store: Store, people: dict[str, Viewer], label: str
) -> None:
    ward, other = unit_by_code(demo_store, HOAN_KIEM), unit_by_code(demo_store, TU_LIEM)
    ward_admin, admin = people[label], people["admin"]
    assert ward_admin.scope_unit_id == ward.id
    refusals = denied(demo_store, ward_admin)
    own = units.create_unit(demo_store, viewer=ward_admin, parent_id=ward.id, kind="division", name="Tổ một cửa")
    renamed = units.rename_unit(
        demo_store, viewer=ward_admin, unit_id=own.unit_id, version=own.version, name="Tổ một cửa liên thông"
    )
    assert renamed.version != own.version
    with pytest.raises(Forbidden):
        units.create_unit(demo_store, viewer=ward_admin, parent_id=other.id, kind="division", name="X")
    version = node(demo_store, admin, other.id).version
    with pytest.raises(Forbidden):
        units.rename_unit(demo_store, viewer=ward_admin, unit_id=other.id, version=version, name="X")
    with pytest.raises(Forbidden):  # nor moves its own division out of its subtree
        units.move_unit(
            demo_store, viewer=ward_admin, unit_id=own.unit_id, version=renamed.version, new_parent_id=other.id
        )
    own_ward = node(demo_store, admin, ward.id).version
    with pytest.raises(Forbidden):  # its own ward is the administrator's to rename, move or close
        units.rename_unit(demo_store, viewer=ward_admin, unit_id=ward.id, version=own_ward, name="Phường X")
    with demo_store.read() as session:
        seen = {n.id for n in queries.unit_tree(session, viewer=ward_admin)}
        listed = {r.username for r in queries.accounts_page(session, viewer=ward_admin, since=now(), size=500)[0]}
    assert ward.id in seen and other.id not in seen
    assert "canbo.hoankiem" in listed and not {"admin", "lanhdao.thanhpho", "truongphong.khcn"} & listed
    with pytest.raises(Forbidden):  # and makes no administrator of its own
        users.create_account(demo_store, viewer=ward_admin, username="phu.ta", role="admin", scope_unit_id=ward.id)
    with pytest.raises(Forbidden):  # nor a unit administrator of another ward
        users.create_account(
            demo_store, viewer=ward_admin, username="phu.ta", role="unit_admin", scope_unit_id=other.id
        )
    # Inside its ward it creates accounts and resets their passwords; another ward's accounts are out of reach.
    made = users.create_account(
        demo_store, viewer=ward_admin, username="canbo.moi", role="staff", scope_unit_id=own.unit_id
    )
    assert made.password
    outsider = _account(demo_store, admin, "truongphong.khcn")
    with pytest.raises(Forbidden):
        users.reset_password(demo_store, viewer=ward_admin, user_id=outsider.id, version=outsider.version)
    assert _account(demo_store, admin, "truongphong.khcn").version == outsider.version
    # Its peer at the ward (the leader for the unit administrator, and the other way round) is the
    # administrator's: a reset would hand the peer's account, and its powers, to whoever read the password.
    peer = _account(demo_store, admin, "lanhdao.hoankiem" if label == "unit_admin" else "quantri.hoankiem")
    with pytest.raises(Forbidden):
        users.reset_password(demo_store, viewer=ward_admin, user_id=peer.id, version=peer.version)
    with pytest.raises(Forbidden):
        users.create_account(
            demo_store, viewer=ward_admin, username="pho.chutich", role="leader", scope_unit_id=ward.id
        )
    assert denied(demo_store, ward_admin) == refusals + 9  # every refused attempt above, audited


def test_a_rename_on_a_stale_page_is_a_conflict_naming_who_changed_it(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    seen = node(demo_store, people["admin"], ward.id).version
    first = units.rename_unit(
        demo_store, viewer=people["admin"], unit_id=ward.id, version=seen, name="Phường Hoàn Kiếm mới"
    )
    assert first.version != seen
    with pytest.raises(Conflict) as caught:
        units.rename_unit(demo_store, viewer=people["admin"], unit_id=ward.id, version=seen, name="Tên khác")
    assert caught.value.changed_by == "admin" and caught.value.changed_at is not None
    assert unit_by_code(demo_store, HOAN_KIEM).name == "Phường Hoàn Kiếm mới"
    entry = last_audit(demo_store, "org_unit.rename")
    assert json.loads(entry.before_json)["name"] == ward.name
    assert json.loads(entry.after_json)["name"] == "Phường Hoàn Kiếm mới"
    with pytest.raises(Invalid) as blank:
        units.rename_unit(demo_store, viewer=people["admin"], unit_id=ward.id, version=first.version, name=" ")
    assert blank.value.problems == {"name": "required"}


def test_a_move_carries_the_subtree_and_refuses_cycles(demo_store: Store, people: dict[str, Viewer]) -> None:
    admin = people["admin"]
    ward, other = unit_by_code(demo_store, HOAN_KIEM), unit_by_code(demo_store, TU_LIEM)
    division = units.create_unit(demo_store, viewer=admin, parent_id=ward.id, kind="division", name="Phòng A")
    board = units.create_unit(demo_store, viewer=admin, parent_id=ward.id, kind="party_board", name="Ban B")
    team = units.create_unit(demo_store, viewer=admin, parent_id=board.unit_id, kind="division", name="Tổ C")
    moved = units.move_unit(
        demo_store, viewer=admin, unit_id=board.unit_id, version=board.version, new_parent_id=other.id
    )
    with demo_store.read() as session:
        board_row, team_row = session.get(OrgUnit, board.unit_id), session.get(OrgUnit, team.unit_id)
        assert board_row is not None and team_row is not None
        assert board_row.parent_id == other.id and board_row.path == f"{other.path}{board.unit_id}/"
        assert team_row.path == f"{other.path}{board.unit_id}/{team.unit_id}/"
        assert team_row.depth == other.depth + 2
    entry = last_audit(demo_store, "org_unit.move")
    assert (
        json.loads(entry.before_json)["parent_id"] == ward.id and json.loads(entry.after_json)["parent_id"] == other.id
    )
    before = count(demo_store, AuditEntry)
    with pytest.raises(Invalid) as cycle:  # under its own child
        units.move_unit(
            demo_store, viewer=admin, unit_id=board.unit_id, version=moved.version, new_parent_id=team.unit_id
        )
    assert cycle.value.problems == {"parent": "cycle"}
    with pytest.raises(Invalid) as kind:  # a party board does not go under a division
        units.move_unit(
            demo_store, viewer=admin, unit_id=board.unit_id, version=moved.version, new_parent_id=division.unit_id
        )
    assert kind.value.problems == {"parent": "not_under_parent"}
    assert count(demo_store, AuditEntry) == before
    assert unit_by_code(demo_store, HOAN_KIEM).path == ward.path


def test_closing_waits_for_people_and_child_units(demo_store: Store, people: dict[str, Viewer]) -> None:
    admin = people["admin"]
    ward = unit_by_code(demo_store, HOAN_KIEM)
    with demo_store.read() as session:
        staffed = session.execute(
            select(OrgUnit)
            .join(Person, Person.unit_id == OrgUnit.id)
            .where(OrgUnit.parent_id == ward.id, Person.active.is_(True))
            .limit(1)
        ).scalar_one()
        staffed_id = staffed.id
    with pytest.raises(Invalid) as busy:
        units.close_unit(
            demo_store, viewer=admin, unit_id=staffed_id, version=node(demo_store, admin, staffed_id).version
        )
    assert busy.value.problems == {"unit": "has_active_people"}
    with pytest.raises(Invalid) as parent:
        units.close_unit(demo_store, viewer=admin, unit_id=ward.id, version=node(demo_store, admin, ward.id).version)
    assert parent.value.problems in ({"unit": "has_active_people"}, {"unit": "has_open_children"})
    empty = units.create_unit(demo_store, viewer=admin, parent_id=ward.id, kind="division", name="Phòng tạm")
    closed = units.close_unit(demo_store, viewer=admin, unit_id=empty.unit_id, version=empty.version)
    assert node(demo_store, admin, empty.unit_id).active is False
    assert closed.version == node(demo_store, admin, empty.unit_id).version
    entry = last_audit(demo_store, "org_unit.close")
    assert json.loads(entry.before_json)["active"] is True and json.loads(entry.after_json)["active"] is False
    with pytest.raises(Invalid) as closed_parent:
        units.create_unit(demo_store, viewer=admin, parent_id=empty.unit_id, kind="division", name="Con")
    assert closed_parent.value.problems == {"kind": "not_under_parent", "parent": "parent_closed"}


def test_the_tree_lists_parents_before_their_children(demo_store: Store, people: dict[str, Viewer]) -> None:
    with demo_store.read() as session:
        tree = queries.unit_tree(session, viewer=people["admin"])
        total = session.execute(select(func.count()).select_from(OrgUnit)).scalar_one()
    assert len(tree) == total
    seen: set[int] = set()
    for unit in tree:
        assert unit.parent_id is None or unit.parent_id in seen, unit.name
        seen.add(unit.id)
    hoan_kiem = next(u for u in tree if u.name == "Phường Hoàn Kiếm")
    assert hoan_kiem.folded == "phuong hoan kiem"


# --- accounts ---------------------------------------------------------------------------------


def _log_in(store: Store, username: str, password: str) -> bool:
    with store.write() as session:
        return accounts.authenticate(session, username=username, password=password) is not None


def test_a_ward_leader_account_logs_in_with_the_password_shown_once(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    made = users.create_account(
        demo_store,
        viewer=people["admin"],
        username=" LanhDao.Moi ",
        role="leader",
        scope_unit_id=ward.id,
        language="en",
    )
    assert made.password and _log_in(demo_store, "lanhdao.moi", made.password)
    leader = viewer_of(demo_store, "lanhdao.moi")
    assert (leader.role.value, leader.scope_unit_id, leader.language) == ("leader", ward.id, "en")
    entry = last_audit(demo_store, "user.create")
    assert entry.user_id == people["admin"].user_id
    after = json.loads(entry.after_json or "{}")
    # Neither the password nor its hash; the forced-change flag is the only password-related field.
    assert made.password not in (entry.after_json or "") and "password_hash" not in after
    assert {k for k in after if "password" in k} == {"must_change_password"}
    before = count(demo_store, User)
    with pytest.raises(Invalid) as taken:
        users.create_account(
            demo_store, viewer=people["admin"], username="lanhdao.moi", role="leader", scope_unit_id=ward.id
        )
    assert taken.value.problems == {"username": "username_taken"}
    with pytest.raises(Invalid) as bad:
        users.create_account(demo_store, viewer=people["admin"], username="Lê Văn", role="king", scope_unit_id=None)
    assert bad.value.problems == {"username": "username_format", "role": "unknown_choice", "scope": "required_choice"}
    assert count(demo_store, User) == before


def test_an_account_is_tied_to_one_person_of_the_subtree(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    with demo_store.read() as session:
        free = queries.people_without_account(session, viewer=people["admin"], unit_id=ward.id)
        taken_person = session.execute(select(User.person_id).where(User.person_id.is_not(None)).limit(1)).scalar_one()
    assert free, "the pilot ward has people without a login"
    assert taken_person not in {c.value for c in free}
    made = users.create_account(
        demo_store,
        viewer=people["admin"],
        username="canbo.moi",
        role="staff",
        scope_unit_id=ward.id,
        person_id=free[0].value,
    )
    assert viewer_of(demo_store, "canbo.moi").person_id == free[0].value and made.user_id
    with pytest.raises(Invalid) as twice:
        users.create_account(
            demo_store,
            viewer=people["admin"],
            username="canbo.hai",
            role="staff",
            scope_unit_id=ward.id,
            person_id=taken_person,
        )
    assert twice.value.problems == {"person": "person_has_account"}


def test_a_ward_account_can_be_tied_to_someone_of_its_divisions(demo_store: Store, people: dict[str, Viewer]) -> None:
    """A ward leader often sits in one of the ward's divisions: the choice offers them, labelled with their
    division, after the ward's own people; once tied, the login carries the person's name (the navbar's)."""
    ward = unit_by_code(demo_store, HOAN_KIEM)
    taken = select(User.person_id).where(User.person_id.is_not(None))
    with demo_store.read() as session:
        free = queries.people_without_account(session, viewer=people["admin"], unit_id=ward.id)
        below = session.execute(
            select(Person.id, Person.full_name, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(OrgUnit.parent_id == ward.id, Person.active.is_(True), Person.id.not_in(taken))
            .order_by(Person.id)
            .limit(1)
        ).one()
        own = session.execute(
            select(func.count()).select_from(Person).where(Person.unit_id == ward.id, Person.active.is_(True))
        ).scalar_one()
    labels = [c.label for c in free]
    assert f"{below.full_name} – {below.name}" in labels
    below_first = next(i for i, label in enumerate(labels) if " – " in label)
    assert own and all(" – " in label for label in labels[below_first:])  # the ward's own people first
    users.create_account(
        demo_store,
        viewer=people["admin"],
        username="lanhdao.phong",
        role="leader",
        scope_unit_id=ward.id,
        person_id=below.id,
    )
    tied = viewer_of(demo_store, "lanhdao.phong")
    assert (tied.person_name, tied.display_name) == (below.full_name, below.full_name)
    assert viewer_of(demo_store, "admin").display_name == "admin"  # no person behind the administrator


def _account(store: Store, viewer: Viewer, username: str) -> queries.AccountRow:
    with store.read() as session:
        rows, _ = queries.accounts_page(session, viewer=viewer, search=username, since=now() - timedelta(minutes=30))
    return next(r for r in rows if r.username == username)


def test_reset_deactivate_and_revoke(demo_store: Store, people: dict[str, Viewer]) -> None:
    admin = people["admin"]
    ward = unit_by_code(demo_store, HOAN_KIEM)
    made = users.create_account(demo_store, viewer=admin, username="thu.nghiem", role="staff", scope_unit_id=ward.id)
    with demo_store.write() as session:
        user = session.execute(select(User).where(User.username == "thu.nghiem")).scalar_one()
        accounts.open_session(session, login=accounts.Authenticated(user.id), now=now(), user_agent="test")
    row = _account(demo_store, admin, "thu.nghiem")
    assert row.open_sessions == 1 and row.last_activity is not None and row.version == made.version

    reset = users.reset_password(demo_store, viewer=admin, user_id=made.user_id, version=row.version)
    assert reset.password and reset.password != made.password
    with demo_store.read() as session:  # the user must choose their own password at the next login
        assert session.get(User, made.user_id).must_change_password is True  # type: ignore[union-attr]
    assert json.loads(last_audit(demo_store, "user.reset_password").after_json)["must_change_password"] is True
    assert _log_in(demo_store, "thu.nghiem", reset.password) and not _log_in(demo_store, "thu.nghiem", made.password)
    assert _account(demo_store, admin, "thu.nghiem").open_sessions == 0  # the reset ended the open session
    with pytest.raises(Conflict):  # the page still shows the version from before the reset
        users.deactivate(demo_store, viewer=admin, user_id=made.user_id, version=row.version)

    revoked = users.revoke_sessions(demo_store, viewer=admin, user_id=made.user_id, version=reset.version)
    with demo_store.read() as session:
        epoch = session.get(User, made.user_id).session_epoch  # type: ignore[union-attr]
    assert epoch == 2 and revoked.version != reset.version

    users.deactivate(demo_store, viewer=admin, user_id=made.user_id, version=revoked.version)
    assert not _log_in(demo_store, "thu.nghiem", reset.password)
    entry = last_audit(demo_store, "user.deactivate")
    assert json.loads(entry.before_json)["active"] is True and json.loads(entry.after_json)["active"] is False
    own = _account(demo_store, admin, admin.username)
    with pytest.raises(Invalid) as self_off:
        users.deactivate(demo_store, viewer=admin, user_id=admin.user_id, version=own.version)
    assert self_off.value.problems == {"account": "own_account"}


@pytest.mark.parametrize("label", NON_ADMINS)
def test_only_administrators_manage_accounts(demo_store: Store, people: dict[str, Viewer], label: str) -> None:
    viewer, admin = people[label], people["admin"]
    target = _account(demo_store, admin, "canbo.hoankiem")
    ward = unit_by_code(demo_store, HOAN_KIEM)
    refusals = denied(demo_store, viewer)
    attempts = [
        lambda: users.create_account(
            demo_store, viewer=viewer, username="ke.gian", role="admin", scope_unit_id=ward.id
        ),
        lambda: users.reset_password(demo_store, viewer=viewer, user_id=target.id, version=target.version),
        lambda: users.deactivate(demo_store, viewer=viewer, user_id=target.id, version=target.version),
        lambda: users.revoke_sessions(demo_store, viewer=viewer, user_id=target.id, version=target.version),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    with demo_store.read() as session, pytest.raises(Forbidden):
        queries.accounts_page(session, viewer=viewer, since=now())
    assert denied(demo_store, viewer) == refusals + len(attempts)
    assert _account(demo_store, admin, "canbo.hoankiem").version == target.version


def test_accounts_come_a_page_at_a_time(demo_store: Store, people: dict[str, Viewer]) -> None:
    ward = unit_by_code(demo_store, HOAN_KIEM)
    for n in range(5):
        users.create_account(
            demo_store, viewer=people["admin"], username=f"trang.{n}", role="staff", scope_unit_id=ward.id
        )
    since = now() - timedelta(minutes=30)
    with demo_store.read() as session:
        first, total = queries.accounts_page(session, viewer=people["admin"], since=since, page=1, size=3)
        second, _ = queries.accounts_page(session, viewer=people["admin"], since=since, page=2, size=3)
        searched, found = queries.accounts_page(session, viewer=people["admin"], since=since, search="trang.")
        all_users = session.execute(select(func.count()).select_from(User)).scalar_one()
    assert total == all_users and len(first) == 3 and len(second) == 3
    assert [r.username for r in first + second] == sorted(r.username for r in first + second)
    assert not {r.id for r in first} & {r.id for r in second}
    assert found == 5 and {r.username for r in searched} == {f"trang.{n}" for n in range(5)}


def test_two_administrators_renaming_at_once_one_wins_the_other_hears_of_it(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    """Both saw the same version; the unit row is locked inside the transaction, so the second
    writer re-reads it after the first commit and gets a Conflict instead of overwriting it."""
    import threading

    ward = unit_by_code(demo_store, HOAN_KIEM)
    seen = node(demo_store, people["admin"], ward.id).version
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def rename(name: str) -> None:
        barrier.wait()
        try:
            outcomes[name] = units.rename_unit(
                demo_store, viewer=people["admin"], unit_id=ward.id, version=seen, name=name
            )
        except Conflict as problem:
            outcomes[name] = problem

    threads = [threading.Thread(target=rename, args=(name,)) for name in ("Tên A", "Tên B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, units.UnitState)]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert unit_by_code(demo_store, HOAN_KIEM).name == winners[0]
    with demo_store.read() as session:
        renames = session.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "org_unit.rename")
        ).scalar_one()
    assert renames == 1


def test_a_reset_password_must_be_replaced_and_the_flag_clears_on_change(
    demo_store: Store, people: dict[str, Viewer]
) -> None:
    admin = people["admin"]
    target = _account(demo_store, admin, "canbo.hoankiem")
    reset = users.reset_password(demo_store, viewer=admin, user_id=target.id, version=target.version)
    assert reset.password
    with demo_store.write() as session:
        opened = accounts.open_session(session, login=accounts.Authenticated(target.id), now=now(), user_agent="test")
        assert opened is not None
    limits = accounts.SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
    with demo_store.read() as session:
        state = accounts.check_session(
            session, session_id=opened.session_id, user_id=target.id, epoch=opened.epoch, now=now(), limits=limits
        )
    assert state is not None and state.must_change_password
    user = viewer_of(demo_store, "canbo.hoankiem")
    with demo_store.write() as session, pytest.raises(Invalid) as same:  # the shown password is not a choice
        accounts.change_password(
            session, viewer=user, current=reset.password, new=reset.password, now=now(), keep_session_id=None
        )
    assert same.value.problems == {"new": "same_password"}
    with demo_store.write() as session:
        accounts.change_password(
            session,
            viewer=user,
            current=reset.password,
            new="Mật khẩu riêng 2026",
            now=now(),
            keep_session_id=opened.session_id,
        )
    with demo_store.read() as session:
        state = accounts.check_session(
            session, session_id=opened.session_id, user_id=target.id, epoch=opened.epoch, now=now(), limits=limits
        )
        assert session.get(User, target.id).must_change_password is False  # type: ignore[union-attr]
    assert state is not None and not state.must_change_password
    assert json.loads(last_audit(demo_store, "change_password").after_json)["after_reset"] is True
