"""Evaluation rule sets kept as JSON files beside this module; each unit names the one it uses."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from domain.rulesets import RuleSet

RULESET_DIR = Path(__file__).resolve().parent


def available_rulesets() -> list[str]:
    """Names of the rule sets on disk."""
    return sorted(path.stem for path in RULESET_DIR.glob("*.json"))


@cache
def load_ruleset(name: str) -> RuleSet:
    """The named rule set, validated; unknown names raise KeyError."""
    path = RULESET_DIR / f"{name}.json"
    if name not in available_rulesets():
        raise KeyError(f"unknown rule set {name!r}; available: {', '.join(available_rulesets())}")
    return RuleSet.from_dict(json.loads(path.read_text(encoding="utf-8")))
