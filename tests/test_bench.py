"""``nnderive bench`` measures (no timing is asserted): cold and warm runs in fresh
interpreters, the warm run from the cache with the same output, the slowest claims, where
the time goes; ``--json`` prints the same figures."""
import json
import subprocess
import sys
from pathlib import Path

from nnderive.bench import area_of, format_figures, measure

ROOT = Path(__file__).resolve().parents[1]
FILE = r"""
[[claims]]
id = "square"
latex = '\frac{d}{dz} z^2 = 2 z'
symbols = { z = "scalar real" }

[[claims]]
id = "wrong"
latex = '\frac{da}{dz} = a(1 + a)'
definitions = ['a = \sigma(z)']
symbols = { z = "scalar real", a = "scalar (0,1)" }
functions = { '\sigma' = "sigmoid" }
"""


def test_measure_reports_cold_warm_slowest_and_stages(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text(FILE)
    fig = measure([f], top=1)
    assert fig["claims"] == 2 and fig["load_errors"] == 0
    assert fig["cold"]["exit_status"] == 1 and fig["warm"]["exit_status"] == 1
    assert fig["warm_output_equals_cold"] is True
    assert fig["cold"]["wall_seconds"] > 0 and fig["cold"]["cpu_seconds"] > 0 and fig["cold"]["peak_rss_mb"] > 10
    assert fig["verdicts"] == {"proved": 1, "refuted": 1}
    assert len(fig["slowest"]) == 1 and fig["slowest"][0]["id"] in ("square", "wrong")
    areas = {a["area"] for a in fig["profile"]["areas"]}
    assert any(a.startswith(("sympy.", "latex2sympy2")) for a in areas)
    assert any(f["function"].startswith(("judge.", "mathematics.", "notation.")) for f in fig["profile"]["functions"])
    assert abs(sum(a["share"] for a in fig["profile"]["areas"]) - 1) < 0.01
    text = format_figures(fig)
    assert "cold" in text and "warm" in text and "slowest 1 claims" in text and "where the time goes" in text


def test_bench_json_from_the_command_line(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text(FILE)
    r = subprocess.run([sys.executable, "-m", "nnderive", "bench", str(f), "--json", "--no-profile"],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    fig = json.loads(r.stdout)
    assert {"cold", "warm", "warm_over_cold", "slowest", "per_source"} <= set(fig) and "profile" not in fig


def test_areas():
    assert area_of("/v/lib/python3.11/site-packages/sympy/core/add.py") == "sympy.core"
    assert area_of("/w/derive/judge/engine.py") == "nnderive.judge (the judge)"
    assert area_of("/w/derive/judge/reading.py").startswith("nnderive.judge.reading")
    assert area_of("/v/site-packages/latex2sympy2_extended/x.py").startswith("latex2sympy2")
    assert area_of("/usr/lib/python3.11/re/_parser.py") == "Python standard library and others"
