"""nnderive's checker: parse cheat-sheet claims and derive their verdicts with SymPy."""
from .catalogue import Claim, load_paths
from .judge import judge_claim
from .verdict import VERDICTS, Verdict

__all__ = ["Claim", "Verdict", "VERDICTS", "judge_claim", "load_paths"]
