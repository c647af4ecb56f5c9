"""The excellent quota (Decree 335/2025/ND-CP): excellent may not exceed a share (20%) of those rated
good in the same unit and group of similar tasks, or among the units of one kind under one parent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.evaluation import classify, round_total
from domain.rulesets import DEFAULT_RULES, Level, RuleSet


@dataclass(frozen=True)
class QuotaDecision:
    person_id: int
    level: Level
    moved_down: bool = False
    tied_at_cut: bool = False


def excellent_allowance(n_excellent: int, n_good: int, quota: float) -> int:
    """Largest k with k <= quota * (good + excellent - k): those moved down count as good."""
    k = int((quota * (n_good + n_excellent)) / (1 + quota) + 1e-9)
    return max(0, min(k, n_excellent))


def apply_quota(
    candidates: Sequence[tuple[int, float, float]],
    rules: RuleSet = DEFAULT_RULES,
    *,
    levels: Mapping[int, Level] | None = None,
    share: float | None = None,
) -> list[QuotaDecision]:
    """Final levels of one group: excellent capped at the quota's share of good.

    candidates are (id, total, task points) of one unit's position group (people) or of the units
    of one kind under one parent (then share is the rule set's unit quota). Best totals keep
    excellent, then higher task points; those still tied at the cut all move to good and are
    flagged for the council. levels overrides the level a total earns (conditions, discipline).
    """
    level_of = {pid: (levels or {}).get(pid) or classify(total, rules=rules) for pid, total, _ in candidates}
    excellent = [c for c in candidates if level_of[c[0]] is Level.EXCELLENT]
    n_good = sum(1 for c in candidates if level_of[c[0]] is Level.GOOD)
    allowed = excellent_allowance(len(excellent), n_good, rules.excellent_quota if share is None else share)

    def rank_key(c: tuple[int, float, float]) -> tuple[Decimal, Decimal]:
        return round_total(c[1]), round_total(c[2])

    ranked = sorted(excellent, key=rank_key, reverse=True)
    keep: set[int] = {c[0] for c in ranked}
    tied: set[int] = set()
    if allowed < len(ranked):
        cut_key = rank_key(ranked[allowed])  # the best candidate that does not fit
        keep = {c[0] for c in ranked[:allowed] if rank_key(c) != cut_key}
        if allowed > 0 and rank_key(ranked[allowed - 1]) == cut_key:
            tied = {c[0] for c in ranked if rank_key(c) == cut_key}
    decisions = []
    for pid, _total, _points in candidates:
        level = level_of[pid]
        if level is Level.EXCELLENT and pid not in keep:
            decisions.append(QuotaDecision(pid, Level.GOOD, moved_down=True, tied_at_cut=pid in tied))
        else:
            decisions.append(QuotaDecision(pid, level))
    return decisions
