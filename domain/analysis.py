"""The owner's analysis of an indicator for a period: what happened, why, and what will be done."""

from __future__ import annotations

from dataclasses import dataclass

FIELD_MAX = 4000
SUMMARY_MAX = 160


@dataclass(frozen=True)
class AnalysisText:
    what_happened: str
    why: str
    next_steps: str

    def stripped(self) -> AnalysisText:
        return AnalysisText(self.what_happened.strip(), self.why.strip(), self.next_steps.strip())


def analysis_problems(text: AnalysisText) -> dict[str, str]:
    """Field -> problem code: something must be said, and no part may be longer than FIELD_MAX."""
    problems = {
        name: "too_long"
        for name, value in (("what_happened", text.what_happened), ("why", text.why), ("next_steps", text.next_steps))
        if len(value.strip()) > FIELD_MAX
    }
    if not any(v.strip() for v in (text.what_happened, text.why, text.next_steps)):
        problems["why"] = "required"
    return problems


def summary(why: str | None, what_happened: str | None = None, *, limit: int = SUMMARY_MAX) -> str:
    """One line for lists and the big screen: the why (or else what happened), cut at a word."""
    text = " ".join(((why or "").strip() or (what_happened or "").strip()).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"
