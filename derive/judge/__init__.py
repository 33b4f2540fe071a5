"""The judge: one claim in, one verdict out, under a time budget."""
from .budget import DEFAULT_BUDGET, judge_all, judge_with_budget
from .engine import ClaimError, judge_claim, relations
from .interpret import Reading, read

__all__ = ["judge_claim", "judge_all", "judge_with_budget", "DEFAULT_BUDGET", "ClaimError", "Reading", "read", "relations"]
