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

from components import labels
from components.work_views import problem_alert
from data_access.errors import PulseError
from data_access.viewer import Viewer
from domain.admin_access import may_administer
from domain.kinds import Role
from pages._common import audit_refusal
from server.context import current_viewer
from server.i18n import _, lazy_gettext

UNITS_PATH = "/admin/units"
USERS_PATH = "/admin/users"

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
    "effective_on": lazy_gettext("Effective date"),
    "units": lazy_gettext("Units"),
    "names": lazy_gettext("Names of the new units"),
    "people": lazy_gettext("People"),
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
}


def admin_viewer() -> Viewer:
    """The viewer, if an administrator; anyone else gets 403 (audited) before the callback reads anything."""
    viewer = current_viewer()
    if not may_administer(viewer.role.value):
        audit_refusal(viewer, f"role {viewer.role.value} posted to an administration callback")
        abort(403)
    return viewer


def admin_menu(active: str) -> dbc.Nav:
    """The two administration pages, side by side."""
    return dbc.Nav(
        [
            dbc.NavItem(dbc.NavLink(_("Organisation units"), href=UNITS_PATH, active=active == UNITS_PATH)),
            dbc.NavItem(dbc.NavLink(_("Accounts"), href=USERS_PATH, active=active == USERS_PATH)),
        ],
        pills=True,
        className="mb-3 admin-menu",
    )


def admin_alert(problem: PulseError, *, class_name: str) -> dbc.Alert:
    """A refused change as a message: each field and what to do about it; conflicts and refusals as elsewhere."""
    if problem.code == "invalid":
        problems: dict[str, str] = getattr(problem, "problems", {})
        text = "; ".join(f"{_label(_FIELDS, field)}: {_label(_PROBLEMS, code)}" for field, code in problems.items())
        return dbc.Alert(_("Please correct: %(problems)s", problems=text), color="warning", className=class_name)
    return problem_alert(problem, class_name=class_name)


def role_label(role: str) -> str:
    """The role's name as a list entry or an option (the one vocabulary, capitalised)."""
    text = labels.role_label(role)
    return text[:1].upper() + text[1:]


def role_options() -> list[dict[str, str]]:
    """Every role as a dropdown option."""
    return [{"label": role_label(role.value), "value": role.value} for role in Role]


def _label(labels: dict[str, Any], key: str) -> str:
    label = labels.get(key)
    return str(label) if label is not None else key
