"""What the administration pages share: the role check every callback makes first, their small
menu, and their problem messages in the user's language.

The shell's guard refuses other roles the /admin pages themselves, but a callback is a public JSON
API (SECURITY.md 1): each admin callback calls `admin_viewer()` before anything else, so a staff
account posting to it hears 403 and the refusal is audited. The commands check again.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from flask import abort
from flask_login import current_user

from components import labels
from components.work_views import problem_alert
from data_access.errors import PulseError
from data_access.viewer import Viewer
from domain.admin_access import grantable_roles, may_administer, may_administer_periods
from domain.kinds import Role
from domain.records import message as record_message
from domain.records.messages import MESSAGES as RECORD_MESSAGES
from pages._common import audit_refusal
from server.context import current_viewer
from server.i18n import _, lazy_gettext

UNITS_PATH = "/admin/units"
POSITIONS_PATH = "/admin/positions"
PEOPLE_PATH = "/admin/people"
USERS_PATH = "/admin/users"
PERIODS_PATH = "/admin/periods"
QUALITY_PATH = "/admin/quality"
IMPORT_PATH = "/admin/import"
TOKENS_PATH = "/admin/tokens"
SYNC_PATH = "/admin/sync"

_FIELDS = {
    "name": lazy_gettext("Unit name"),
    "kind": lazy_gettext("Kind"),
    "parent": lazy_gettext("Parent unit"),
    "unit": lazy_gettext("Unit"),
    "username": lazy_gettext("User name"),
    "role": lazy_gettext("Role"),
    "language": lazy_gettext("Language"),
    "scope": lazy_gettext("Scope unit"),
    "person": lazy_gettext("Person"),
    "account": lazy_gettext("Account"),
    "year": lazy_gettext("Year"),
    "period": lazy_gettext("Period"),
    "grace_days": lazy_gettext("Grace days"),
    "effective_on": lazy_gettext("Effective date"),
    "units": lazy_gettext("Units"),
    "names": lazy_gettext("Names of the new units"),
    "people": lazy_gettext("People"),
    "position": lazy_gettext("Position"),
    "position_name": lazy_gettext("Position name"),
    "code": lazy_gettext("Code"),
    "task_group": lazy_gettext("Group of similar tasks"),
    "criteria_set": lazy_gettext("Evaluation criteria"),
    "is_leader": lazy_gettext("Leader"),
    "full_name": lazy_gettext("Full name"),
    "gender": lazy_gettext("Gender"),
    "birth_date": lazy_gettext("Date of birth"),
    "citizen_id": lazy_gettext("Citizen id"),
    "civil_servant_code": lazy_gettext("Civil-servant code"),
    "rank_code": lazy_gettext("Rank code"),
    "start_date": lazy_gettext("Start date"),
    "email": lazy_gettext("E-mail"),
    "phone": lazy_gettext("Phone"),
    "effective": lazy_gettext("Effective date"),
    # The interchange shapes' fields (shared/interop), as record problems name them.
    "official_code": lazy_gettext("Official code"),
    "parent_code": lazy_gettext("Parent unit"),
    "valid_from": lazy_gettext("Valid from"),
    "valid_to": lazy_gettext("Valid to"),
    "successor_codes": lazy_gettext("Successor units"),
    "date_of_birth": lazy_gettext("Date of birth"),
    "unit_code": lazy_gettext("Unit"),
    "position_code": lazy_gettext("Position"),
    "active": lazy_gettext("Working"),
    "updated_at": lazy_gettext("Last changed"),
}
_PROBLEMS = {
    "required": lazy_gettext("enter a name"),
    "too_long": lazy_gettext("at most 200 characters"),
    "unknown_choice": lazy_gettext("choose one of the options offered"),
    "required_choice": lazy_gettext("choose one of the options offered"),
    "not_under_parent": lazy_gettext("this kind of unit cannot go under the chosen unit"),
    "parent_closed": lazy_gettext("the chosen unit is closed"),
    "cycle": lazy_gettext("a unit cannot go under itself or one of its own units"),
    "unchanged": lazy_gettext("the unit is already there"),
    "root_fixed": lazy_gettext("the top of the tree cannot be moved or closed"),
    "has_active_people": lazy_gettext("people still work in it: move them first"),
    "has_open_children": lazy_gettext("it still has open units: close or move them first"),
    "username_format": lazy_gettext(
        "3 to 80 letters without accents, digits, dots, dashes or underscores, e.g. lanhdao.hoankiem"
    ),
    "username_taken": lazy_gettext("this user name is taken"),
    "person_has_account": lazy_gettext("this person already has an account"),
    "own_account": lazy_gettext("you cannot deactivate your own account"),
    "already_inactive": lazy_gettext("the account is already deactivated"),
    "already_open": lazy_gettext("it is already open"),
    "already_locked": lazy_gettext("it is already locked"),
    "not_ended": lazy_gettext("it has not ended yet: lock it once it is over"),
    "enclosing_locked": lazy_gettext("the quarter or year it belongs to is locked: unlock that first"),
    "too_far_ahead": lazy_gettext("at most two years ahead"),
    "not_next": lazy_gettext("open the years in order, the next one first"),
    "whole_number": lazy_gettext("enter a whole number"),
    "grace_range": lazy_gettext("from 0 to 60 days"),
    "date_required": lazy_gettext("choose the date the change takes effect"),
    "in_future": lazy_gettext("record the change on or after its effective date, not before"),
    "locked_period": lazy_gettext("a locked period would change: choose a date after the last locked period"),
    "before_unit_start": lazy_gettext("the unit only starts on or after that date: choose a later date"),
    "merge_needs_two": lazy_gettext("choose at least one other unit to merge with"),
    "mixed_kinds": lazy_gettext("only units of the same kind can be merged"),
    "nested": lazy_gettext("a unit cannot be merged with a unit inside it"),
    "closed": lazy_gettext("a closed or already reorganised unit cannot be reorganised"),
    "merge_too_many": lazy_gettext("at most 50 units in one merge"),
    "split_needs_two": lazy_gettext("enter at least two names, one a line"),
    "too_many": lazy_gettext("at most 10 new units"),
    "duplicate_names": lazy_gettext("each new unit needs its own name"),
    "same_name": lazy_gettext("enter a name different from the current one"),
    "not_in_unit": lazy_gettext("only people of the unit can be placed in its parts"),
    "unknown_part": lazy_gettext("choose one of the new units"),
    "code_format": lazy_gettext("1 to 40 letters without accents, digits, dots or dashes, e.g. CVTH"),
    "code_taken": lazy_gettext("another position of this unit has this code"),
    "task_group_format": lazy_gettext(
        "a code of lower-case letters without accents, digits or underscores, e.g. chuyen_vien_tong_hop"
    ),
    "already_inactive_position": lazy_gettext("the position is already deactivated"),
    "position_held": lazy_gettext("active people hold it: move them first"),
    "required_date": lazy_gettext("choose a date"),
    "move_in_future": lazy_gettext("a move takes effect today or earlier"),
    "move_before_start": lazy_gettext("the date is before the start of the current placement"),
    "move_in_locked_period": lazy_gettext("the date falls in a locked period"),
    "move_unchanged": lazy_gettext("the person is already in this unit and position"),
    "person_inactive": lazy_gettext("the person has left"),
    "person_has_active_account": lazy_gettext(
        "their account is still active: deactivate it first on the Accounts page"
    ),
}


def admin_viewer() -> Viewer:
    """The viewer, if an administrator; anyone else gets 403 (audited) before the callback reads anything."""
    viewer = current_viewer()
    if not may_administer(viewer.role.value, viewer.scope_kind):
        audit_refusal(viewer, f"role {viewer.role.value} posted to an administration callback")
        abort(403)
    return viewer


def admin_menu(active: str) -> dbc.Nav:
    """The administration pages side by side; the periods only for an administrator (a delegated one
    does not run the agency's calendar). Reads the logged-in role only: no database in a layout."""
    entries = [
        (UNITS_PATH, _("Organisation units")),
        (POSITIONS_PATH, _("Positions")),
        (PEOPLE_PATH, _("Personnel")),
        (USERS_PATH, _("Accounts")),
        (IMPORT_PATH, _("Import people and units")),
        (QUALITY_PATH, _("Data quality")),
        (SYNC_PATH, _("Synchronisation")),
    ]
    if may_administer_periods(str(getattr(getattr(current_user, "role", None), "value", ""))):
        # The agency's calendar and the machines' tokens: the whole agency's, administrators only.
        entries += [(PERIODS_PATH, _("Periods")), (TOKENS_PATH, _("Machine tokens"))]
    return dbc.Nav(
        [dbc.NavItem(dbc.NavLink(label, href=path, active=active == path)) for path, label in entries],
        pills=True,
        className="mb-3 admin-menu",
    )


def admin_alert(problem: PulseError, *, class_name: str) -> dbc.Alert:
    """A refused change as a message: each field and what to do about it; conflicts and refusals as elsewhere."""
    if problem.code == "invalid":
        problems: dict[str, str] = getattr(problem, "problems", {})
        details: dict[str, dict[str, Any]] = problem.params.get("details") or {}
        text = "; ".join(
            f"{_label(_FIELDS, field)}: {_problem(code, details.get(field) or {})}" for field, code in problems.items()
        )
        return dbc.Alert(_("Please correct: %(problems)s", problems=text), color="warning", className=class_name)
    return problem_alert(problem, class_name=class_name)


def role_label(role: str) -> str:
    """The role's name as a list entry or an option (the one vocabulary, capitalised)."""
    text = labels.role_label(role)
    return text[:1].upper() + text[1:]


def role_options(viewer: Viewer | None = None) -> list[dict[str, str]]:
    """The roles as dropdown options: every role, or those the viewer may grant."""
    roles = [r.value for r in Role] if viewer is None else grantable_roles(viewer.role.value, viewer.scope_kind)
    return [{"label": role_label(role), "value": role} for role in roles]


def admin_periods_viewer() -> Viewer:
    """The viewer, if an administrator of the agency's periods; anyone else gets 403 (audited)."""
    viewer = current_viewer()
    if not may_administer_periods(viewer.role.value):
        audit_refusal(viewer, f"role {viewer.role.value} posted to a periods callback")
        abort(403)
    return viewer


def field_label(field: str) -> str:
    """A record field's name in the user's language (the field itself when it has none)."""
    return _label(_FIELDS, field)


def _problem(code: str, params: dict[str, Any]) -> str:
    """The page's own wording of a code, else the record rules' message (domain.records) with its values."""
    if code in _PROBLEMS:
        return _label(_PROBLEMS, code)
    if code in RECORD_MESSAGES:
        return record_message(code, params, _)
    return code


def _label(labels: dict[str, Any], key: str) -> str:
    label = labels.get(key)
    return str(label) if label is not None else key
