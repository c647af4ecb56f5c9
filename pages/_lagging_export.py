"""The /lagging list as an Excel workbook: the rows the user filtered, in the user's language, with
percentages as numbers in a percent format (never codes or long fractions)."""

from __future__ import annotations

import pandas as pd

from components.labels import status_label, unit_kind_label
from data_access.spreadsheets import Sheet, workbook_bytes
from domain.analysis import summary
from pages._common import source_text
from server.i18n import _

PERCENT = "0.0%"
EXCEL_TEXT = 32_000  # an Excel cell holds 32,767 characters


def lagging_workbook(frame: pd.DataFrame) -> bytes:
    """One sheet, "Lagging indicators", with translated headers and labels; progress, expected and gap in %."""
    header = [
        _("Indicator"),
        _("Unit"),
        _("Kind"),
        _("Source"),
        _("Owner"),
        _("Status"),
        _("Progress %"),
        _("Expected %"),
        _("Weighted gap %"),
        _("Owner's analysis"),
    ]
    rows = [
        [
            r.indicator,
            r.unit,
            unit_kind_label(r.unit_kind),
            source_text(r.source_kind, r.source_ref),
            r.owner if isinstance(r.owner, str) else "–",
            status_label(r.status),
            # The grid shows points of percent; Excel gets the fraction and shows it with its percent format.
            float(r.progress_pct) / 100,
            float(r.expected_pct) / 100,
            float(r.gap) / 100,
            summary(_text(r.why), _text(r.what_happened), limit=EXCEL_TEXT),  # whole, not cut for a grid cell
        ]
        for r in frame.itertuples()
    ]
    sheet = Sheet(
        _("Lagging indicators"),
        [header, *rows],
        widths=(48, 28, 16, 24, 24, 14, 12, 12, 14, 60),
        freeze="A2",
        number_formats={6: PERCENT, 7: PERCENT, 8: PERCENT},
    )
    return workbook_bytes([sheet])


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
