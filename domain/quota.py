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
    """One candidate's level after the quota. A candidate tied at the cut keeps its level (excellent)
    with ``tied_at_cut`` set: the council decides who of the tied keeps it (not the order of a list)."""

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
    excellent, then higher task points; those still tied at the cut are not moved: they are flagged
    for the council, which gives the seats left (``council_seats``) to some of them. levels overrides
    the level a total earns (conditions, discipline).
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
        if pid in tied:
            decisions.append(QuotaDecision(pid, level, tied_at_cut=True))
        elif level is Level.EXCELLENT and pid not in keep:
            decisions.append(QuotaDecision(pid, Level.GOOD, moved_down=True))
        else:
            decisions.append(QuotaDecision(pid, level))
    return decisions


def council_seats(decisions: Sequence[QuotaDecision], allowance: int) -> int:
    """How many of those tied at the cut may keep excellent: the allowance less those kept outright."""
    kept = sum(1 for d in decisions if d.level is Level.EXCELLENT and not d.tied_at_cut)
    return max(0, allowance - kept)


def check_council_choice(tied: Sequence[int], keep: Sequence[int], seats: int) -> str | None:
    """Why a council's choice among the tied is not valid (None when it is): only the tied, at most the seats."""
    if not set(keep) <= set(tied):
        return "not_tied"
    if len(set(keep)) > seats:
        return "over_quota"
    return None


# Position groups from the most senior down: a group too small to keep any excellent may be pooled
# with the next group up (the rule set's pool_small_groups), or the next one down for the top group.
GROUP_SENIORITY = ("lanh_dao_don_vi", "lanh_dao_phong", "chuyen_vien_chuyen_mon", "chuyen_vien_tong_hop")


def pooled_groups(
    groups: Mapping[str, tuple[int, int]], share: float, *, order: Sequence[str] = GROUP_SENIORITY
) -> dict[str, str]:
    """Which group each group's quota is counted in when small groups are pooled.

    groups maps a group to its (excellent, good) counts. A group whose own allowance is 0 although
    it has an excellent candidate joins the nearest group above it (in ``order``, then by name), or
    the one below when it is the top group; the joined counts are checked again, so a chain of small
    groups ends in one pool. Returns group -> the pool it is counted in (itself when not pooled).
    """
    ranked = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
    pool_of = {g: g for g in ranked}
    counts = {g: groups[g] for g in ranked}
    changed = True
    while changed:
        changed = False
        pools = [g for g in ranked if pool_of[g] == g]
        for position, pool in enumerate(pools):
            n_excellent, n_good = counts[pool]
            if n_excellent == 0 or excellent_allowance(n_excellent, n_good, share) > 0 or len(pools) == 1:
                continue
            target = pools[position - 1] if position > 0 else pools[1]
            for g in ranked:
                if pool_of[g] == pool:
                    pool_of[g] = target
            counts[target] = (counts[target][0] + n_excellent, counts[target][1] + n_good)
            changed = True
            break
    return pool_of
