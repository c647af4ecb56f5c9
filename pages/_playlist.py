"""The big screen's playlist as the URL gives it (?slides=overview,lagging,rankings,unit:12): shared by the
presentation and the phone companion that steers it, so that neither page imports the other.
"""

from __future__ import annotations

from pages._inputs import as_id

DEFAULT_SLIDES = ("overview", "lagging", "rankings")


def parse_playlist(slides: str | None) -> list[str]:
    """Known slide names from the URL, in order; unit slides as "unit:<id>"."""
    chosen = []
    for item in (slides or ",".join(DEFAULT_SLIDES)).split(","):
        item = item.strip()
        if item in DEFAULT_SLIDES or (item.startswith("unit:") and as_id(item[5:]) is not None):
            chosen.append(item)
    return chosen or list(DEFAULT_SLIDES)
