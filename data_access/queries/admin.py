"""Reads of the administration pages: the org tree and the accounts of the administrator's subtree.

Every function refuses (Forbidden) a viewer who may not administer: the pages' callbacks are a
public JSON API, so the role is checked here and not only in the page registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from data_access.errors import Forbidden
from data_access.models import OrgUnit, Person, User, UserSession
from data_access.viewer import Viewer, in_scope
from domain.admin_access import may_administer
from domain.org_changes import state_token
from domain.text import fold

ACCOUNTS_PAGE_SIZE = 50
SEARCH_MAX = 100


def require_admin(viewer: Viewer) -> None:
    """Refuse anyone who may not open the administration pages."""
    if not may_administer(viewer.role.value, viewer.scope_kind):
        raise Forbidden(f"role {viewer.role.value} may not administer")


def unit_token(unit: OrgUnit) -> str:
    """The version of a unit as the page saw it (what a rename, move or close must still find)."""
    return state_token(unit.name, unit.parent_id, unit.kind, unit.active, unit.path)


def user_token(user: User) -> str:
    """The version of an account as the page saw it; a reset or revoke bumps session_epoch."""
    return state_token(user.username, user.role, user.scope_unit_id, user.active, user.session_epoch, user.person_id)


@dataclass(frozen=True)
class UnitNode:
    id: int
    name: str
    kind: str
    parent_id: int | None
    depth: int
    active: bool
    people: int
    folded: str  # the name without accents, for searching
    version: str
    path: str = ""  # the materialised path, for the permission rules (domain.admin_access)


def unit_tree(session: Session, *, viewer: Viewer) -> list[UnitNode]:
    """The viewer's subtree, depth first, children by name (a province is a few hundred units)."""
    require_admin(viewer)
    units = session.execute(select(OrgUnit).where(in_scope(viewer, OrgUnit.path))).scalars().all()
    people = dict(
        session.execute(
            select(Person.unit_id, func.count())
            .join(OrgUnit, OrgUnit.id == Person.unit_id)
            .where(Person.active.is_(True), in_scope(viewer, OrgUnit.path))
            .group_by(Person.unit_id)
        ).all()
    )
    ids = {u.id for u in units}
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    ordered: list[UnitNode] = []
    # Depth first without recursion; sorting in Python because PostgreSQL's collation ignores "/" in paths.
    stack = sorted(children.get(None, []), key=lambda u: fold(u.name), reverse=True)
    while stack:
        unit = stack.pop()
        ordered.append(
            UnitNode(
                id=unit.id,
                name=unit.name,
                kind=unit.kind,
                parent_id=unit.parent_id if unit.parent_id in ids else None,
                depth=unit.depth,
                active=unit.active,
                people=int(people.get(unit.id, 0)),
                folded=fold(unit.name),
                version=unit_token(unit),
                path=unit.path,
            )
        )
        stack.extend(sorted(children.get(unit.id, []), key=lambda u: fold(u.name), reverse=True))
    return ordered


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    role: str
    scope_unit_id: int
    scope_name: str
    person_name: str | None
    language: str
    active: bool
    last_login_at: datetime | None
    open_sessions: int
    last_activity: datetime | None
    version: str


def accounts_page(
    session: Session,
    *,
    viewer: Viewer,
    search: str = "",
    page: int = 1,
    since: datetime,
    size: int = ACCOUNTS_PAGE_SIZE,
) -> tuple[list[AccountRow], int]:
    """One page of the accounts scoped inside the viewer's subtree, by user name, and the total count.

    `search` matches the user name or the person's name (as typed; a LIKE with bound parameters).
    Open sessions: not revoked and seen since `since` (the idle limit); revoking also marks them.
    """
    require_admin(viewer)
    text = search.strip()[:SEARCH_MAX] if isinstance(search, str) else ""
    conditions = [in_scope(viewer, OrgUnit.path)]
    if text:
        conditions.append(
            or_(
                User.username.contains(text.lower(), autoescape=True),
                Person.full_name.contains(text, autoescape=True),
            )
        )
    base = (
        select(User.id)
        .join(OrgUnit, OrgUnit.id == User.scope_unit_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(*conditions)
    )
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    page = max(1, int(page))
    ids = list(session.execute(base.order_by(User.username).offset((page - 1) * size).limit(size)).scalars())
    if not ids:
        return [], total
    sessions = {
        row.user_id: (int(row.open), row.last)
        for row in session.execute(
            select(UserSession.user_id, func.count().label("open"), func.max(UserSession.last_seen_at).label("last"))
            .where(UserSession.user_id.in_(ids), UserSession.revoked_at.is_(None), UserSession.last_seen_at >= since)
            .group_by(UserSession.user_id)
        )
    }
    rows = session.execute(
        select(User, OrgUnit.name, Person.full_name)
        .join(OrgUnit, OrgUnit.id == User.scope_unit_id)
        .outerjoin(Person, Person.id == User.person_id)
        .where(User.id.in_(ids))
        .order_by(User.username)
    ).all()
    return [
        AccountRow(
            id=user.id,
            username=user.username,
            role=user.role,
            scope_unit_id=user.scope_unit_id,
            scope_name=scope_name,
            person_name=person_name,
            language=user.language,
            active=user.active,
            last_login_at=user.last_login_at,
            open_sessions=sessions.get(user.id, (0, None))[0],
            last_activity=sessions.get(user.id, (0, None))[1],
            version=user_token(user),
        )
        for user, scope_name, person_name in rows
    ], total


PEOPLE_CHOICES_LIMIT = 1000  # a dropdown, not a list of a city's staff


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


def people_without_account(session: Session, *, viewer: Viewer, unit_id: int) -> list[Choice]:
    """Active people of a unit and the units below it, in the viewer's subtree, who have no login yet (to tie
    a new account to). A ward leader's account is scoped to the ward while the person often sits in one of
    its divisions, so people below the unit are offered too, labelled with their unit."""
    require_admin(viewer)
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not viewer.covers_path(unit.path):
        return []
    taken = select(User.person_id).where(User.person_id.is_not(None))
    rows = session.execute(
        select(Person.id, Person.full_name, Person.unit_id, OrgUnit.name.label("unit"))
        .join(OrgUnit, OrgUnit.id == Person.unit_id)
        .where(
            OrgUnit.path.startswith(unit.path, autoescape=True),
            Person.active.is_(True),
            Person.id.not_in(taken),
        )
        # The unit's own people first; a city's whole staff would not fit in a dropdown.
        .order_by(Person.unit_id != unit_id, Person.full_name, Person.id)
        .limit(PEOPLE_CHOICES_LIMIT)
    ).all()
    return [Choice(r.id, r.full_name if r.unit_id == unit_id else f"{r.full_name} – {r.unit}") for r in rows]
