"""nnderive: prove or refute the formulas of neural-network cheat sheets with SymPy.

>>> import nnderive
>>> nnderive.__version__ == nnderive.version.VERSION
True
"""
from . import report as _report  # noqa: F401  (registers the Jupyter renderers of claims and verdicts)
from . import version
from .catalogue import Claim, LoadError, load_paths
from .judge import judge_all, judge_claim
from .verdict import VERDICTS, Verdict

__version__ = version.VERSION

__all__ = ["Claim", "LoadError", "Verdict", "VERDICTS", "judge_claim", "judge_all", "load_paths", "__version__"]
