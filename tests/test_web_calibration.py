"""The JS twin of the calibration rule (web/calibration.js) against numpy, in real Chromium."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import ROOT

from handwriting.browser import serve_directory
from handwriting.honest import calibration
from handwriting.honest.recognizer import NOT_A_DIGIT_MESSAGE, verdict_message

WEB = ROOT / "web"
CONSTANTS = ("SURE", "PAIR", "CLEAR", "UNUSUAL", "EPSILON")


def test_python_and_js_define_the_same_thresholds():
    text = (WEB / "calibration.js").read_text()
    for name in CONSTANTS:
        values = re.findall(rf"\bconst {name} = ([0-9.eE+-]+);", text)
        assert len(values) == 1, f"{name} must be defined exactly once in calibration.js"
        assert float(values[0]) == getattr(calibration, name), name
    assert f'"{NOT_A_DIGIT_MESSAGE}"' in text
    doc = (WEB / "CALIBRATION.md").read_text()
    for name in CONSTANTS:
        assert f"| `{name}` | {getattr(calibration, name):g} |" in doc, f"CALIBRATION.md: {name}"


_JS_JUDGE = """([rows, {temperature, sure, pair, floor}]) => rows.map(p => {
  const C = window.HandwritingCalibration;
  const q = C.apply(p, temperature);
  const verdict = C.verdict(q, sure, pair, floor);
  return {q: Array.from(q), verdict, message: C.message(verdict, q)};
})"""


@pytest.mark.browser
def test_js_applies_the_temperature_and_the_rule_like_numpy(browser):
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=rng.uniform(0.5, 6, size=(300, 1)), size=(300, 10))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[:5] = np.eye(10)[:5]  # exact zeros and ones
    p[5] = 0.1  # a tie
    p = p.astype(np.float32).astype(np.float64)  # what a model gives
    with serve_directory(WEB) as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}index.html?backend=cpu")
        page.wait_for_function("() => window.HandwritingCalibration !== undefined", timeout=30_000)
        floored = calibration.Calibration(0.6, 0.7, 0.75, floor=0.97)
        for setting in (
            calibration.Calibration(),
            calibration.Calibration(2.3, 0.9, 0.95),
            calibration.Calibration(0.6, 0.7, 0.75),
            floored,
        ):
            js = page.evaluate(_JS_JUDGE, [p.tolist(), setting.as_dict()])
            q = setting.apply(p)
            np.testing.assert_allclose([row["q"] for row in js], q, rtol=0, atol=1e-12)
            expected = setting.verdicts(q)
            assert [row["verdict"] for row in js] == list(expected)
            assert [row["message"] for row in js] == [
                verdict_message(v, r) for v, r in zip(expected, q, strict=False)
            ]
        # every verdict and every branch of the rule is met in both
        q = floored.apply(p)
        verdicts, top = floored.verdicts(q), q.max(axis=1)
        assert {"digit", "unsure", "not_a_digit"} == set(verdicts)
        two = np.sort(q, axis=1)[:, -2:].sum(axis=1)
        # below the floor: sure-looking answers under CLEAR become "not sure", above it digits
        below = two < floored.floor
        assert ((verdicts == "unsure") & below & (top >= 0.7) & (top < calibration.CLEAR)).sum() > 5
        assert ((verdicts == "digit") & below & (top >= calibration.CLEAR)).sum() >= 3
        assert ((verdicts == "unsure") & below & (top < 0.7)).sum() > 5  # unusual digits
        # as Calibration(): no floor unless given, the defaults, numbers out of range refused
        create = "(calibration) => window.HandwritingCalibration.create(calibration)"
        assert page.evaluate(create, {"temperature": 0.5, "sure": 0.7, "pair": 0.9})["floor"] == 0
        assert page.evaluate(create, {}) == calibration.Calibration().as_dict()
        assert page.evaluate(create, floored.as_dict()) == floored.as_dict()
        for name, value in (("floor", 1.5), ("sure", 0), ("pair", 1.01), ("temperature", -1)):
            with pytest.raises(calibration.CalibrationError):
                calibration.Calibration(**{**floored.as_dict(), name: value})
            with pytest.raises(Exception, match=f"{name} must be"):
                page.evaluate(create, {**floored.as_dict(), name: value})
        context.close()
