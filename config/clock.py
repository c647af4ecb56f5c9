"""The date the app believes it is today.

PULSE_TODAY (YYYY-MM-DD) pins it, so that demo data, tests and benchmarks are reproducible.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def today() -> date:
    """Today's date, or the pinned PULSE_TODAY."""
    pinned = os.environ.get("PULSE_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


def now() -> datetime:
    """The current time (naive UTC), for timestamps written to the store."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
