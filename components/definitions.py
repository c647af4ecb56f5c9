"""What each figure of the leaders' screens means, in plain words with its formula (shown by info icons)."""

from __future__ import annotations

from components.i18n import _


def score() -> str:
    return _(
        "Score: the weighted average of the indicators' progress (each counted at most 100 %), by objective, "
        "then over this unit and the units below it."
    )


def expected() -> str:
    return _(
        "Expected by now: the share of the year elapsed at the end of the period (or today, while it runs). "
        "A score below it is behind schedule."
    )


def on_track_share() -> str:
    return _(
        "Indicators done or on track, divided by the indicators that have a value. On track: progress close to "
        "what was expected by now."
    )


def lagging() -> str:
    return _(
        "At risk: progress somewhat below what was expected by now. Off track: far below it. "
        "Each number opens the list of those indicators."
    )


def overdue() -> str:
    return _("Overdue: open tasks whose due date has passed. Open: tasks not done and not cancelled.")


def done_on_time() -> str:
    return _("Tasks of the period done by their due date, without a postponement; beside them, those done late.")


def trend() -> str:
    return _(
        "The score at the end of each month (solid line) and the score expected by then (dashed line): "
        "the share of the year elapsed."
    )


def statuses() -> str:
    return _("How many indicators stand in each status, from their progress against what was expected by now.")


def best_units() -> str:
    return _("The units directly below with the highest scores.")


def weakest_units() -> str:
    return _(
        "The units directly below with the lowest scores, compared within their kind: wards with wards, "
        "departments with departments. Units without a score are left out."
    )


def lagging_table() -> str:
    return _(
        "Indicators at risk or off track, ordered by weighted gap: the indicator's weight times "
        "(expected progress minus progress)."
    )


def progress() -> str:
    return _(
        "Progress: (current value minus baseline) divided by (target minus baseline). "
        "For example 87.1 of 95.0 from a baseline of 70.0 = 68 %."
    )


def units_below() -> str:
    return _(
        "Each unit directly below: its score, how many of its indicators are at risk or off track, "
        "and its overdue tasks (its own units below included)."
    )


def people() -> str:
    return _(
        "Tasks due: tasks due in the period, cancelled ones left out. Done on time %: tasks done by their "
        "due date without a postponement, divided by the tasks due."
    )
