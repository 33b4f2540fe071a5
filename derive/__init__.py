r"""nnderive: prove or refute the formulas of neural-network cheat sheets with SymPy.

>>> import nnderive
>>> nnderive.__version__ == nnderive.version.VERSION
True
>>> nnderive.check(r"\frac{d}{dz} z^3 = 3 z^2", symbols={"z": "scalar real"}).verdict
'proved'
"""
from . import report as _report  # noqa: F401  (registers the Jupyter renderers of claims and verdicts)
from . import version
from .api import ClaimFileError, check, check_claims, check_file, load
from .catalogue import Claim, LoadError, catalogue_dir, load_paths
from .judge import judge_all, judge_claim
from .verdict import VERDICTS, Verdict

__version__ = version.VERSION

__all__ = ["check", "check_file", "check_claims", "load", "ClaimFileError", "Claim", "LoadError", "Verdict",
           "VERDICTS", "judge_claim", "judge_all", "load_paths", "catalogue_dir", "__version__"]
