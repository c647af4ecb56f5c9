"""Rules for job positions (vi tri viec lam) kept by hand: name, code, group of similar tasks,
evaluation criteria set, and when a position may be deactivated. Pure functions; problems are
{field: code} maps that the pages turn into messages in the user's language.

A position's KPI templates come with plan authoring (issue 10); they will hang off the position id.
"""

from __future__ import annotations

import re
from collections.abc import Collection

NAME_MAX = 200
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
# Groups of similar tasks are codes (rankings and the excellent quota compare people within one group).
TASK_GROUP_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]{0,79}")
# The unit's own rule set; any other value names a rule set of config/rulesets.
DEFAULT_CRITERIA_SET = "default"


def clean_text(value: object) -> str:
    """Text as stored: inner runs of spaces collapsed, ends trimmed; "" for anything but text."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def clean_code(value: object) -> str:
    """A position code as stored: trimmed, upper case (codes are typed in any case)."""
    return value.strip().upper() if isinstance(value, str) else ""


def clean_task_group(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def position_problems(
    *, name: object, code: object, task_group: object, criteria_set: object, criteria_sets: Collection[str]
) -> dict[str, str]:
    """Everything wrong with a position's fields: a name, a short code without accents or spaces,
    a task-group code, and the unit's own rule set or one that exists."""
    problems: dict[str, str] = {}
    cleaned = clean_text(name)
    if not cleaned:
        problems["position_name"] = "required"
    elif len(cleaned) > NAME_MAX:
        problems["position_name"] = "too_long"
    if not CODE_PATTERN.fullmatch(clean_code(code)):
        problems["code"] = "code_format"
    if not TASK_GROUP_PATTERN.fullmatch(clean_task_group(task_group)):
        problems["task_group"] = "task_group_format"
    if criteria_set != DEFAULT_CRITERIA_SET and criteria_set not in criteria_sets:
        problems["criteria_set"] = "unknown_choice"
    return problems


def deactivation_problems(*, active: bool, holders: int) -> dict[str, str]:
    """A position is deactivated once, and only when no active person holds it."""
    if not active:
        return {"position": "already_inactive_position"}
    if holders:
        return {"position": "position_held"}
    return {}
