"""The values a worked example states in prose (:mod:`nnderive.worked`; their verdicts: tests/test_scan.py)."""
from nnderive.worked import worked_values


def _values(*lines):
    return worked_values(list(lines), {n: "Example" for n in range(1, len(lines) + 1)})


def test_the_sigmoid_applied_is_of_the_pre_activation_not_the_last_name_defined():
    (out,) = [v for v in _values("Take x = 1.5, w = 2 and b = 0.5.", "Then z = w·x + b, and the target is y = 1.",
                                 "After applying the sigmoid function, the output a is approximately 0.971.")
              if v.reading.startswith("a ")]
    assert "a = \\sigma(z)" in out.definitions
    assert not [v for v in _values("Take x = 1.5 and y = 1.", "After applying the sigmoid, a is about 0.8.")
                if v.reading.startswith("a ")]                   # no pre-activation defined: not read


def test_a_hypothetical_gives_no_value():
    got = _values("Take x = 1.5, w = 2 and b = 0.5.", "Then z = w·x + b.", "If instead w is 0, z is only b.",
                  "It picks one term: if b is 0 only x is left.", "So z is about 3.5.")
    (z,) = [v for v in got if v.reading.startswith("z ")]
    assert "w = 2" in z.definitions and "w = 0" not in z.definitions and "b = 0" not in z.definitions
    (y,) = [v for v in _values("If our target output y is 1, we measure it.", "So d = 2·y, which is 2.")
            if v.reading.startswith("d ")]
    assert "y = 1" in y.definitions                              # the example's value, given so
