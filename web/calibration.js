/* Temperature scaling and the digit / unsure / not-a-digit rule (CALIBRATION.md), the
 * JavaScript twin of handwriting/calibration.py. The model's own temperature and thresholds
 * come from export.json (read by manifest.js); these defaults apply when an export has none
 * (one written before the calibration existed). Same float64 arithmetic as numpy; tests
 * compare both in Chromium. Plain script: defines window.HandwritingCalibration. */
(function () {
  "use strict";

  const SURE = 0.7;
  const PAIR = 0.9;
  const CLEAR = 0.9;
  const UNUSUAL = 0.5;
  const EPSILON = 1e-12;

  const NOT_A_DIGIT_MESSAGE = "That does not look like a digit. Draw one digit from 0 to 9.";

  /** A model's {temperature, sure, pair, floor}, checked (as Python's Calibration): defaults for
   *  what is not given (temperature 1, SURE, PAIR, no floor), an Error for a number out of
   *  range. export.json's "calibration" reaches it through manifest.js. */
  function create({ temperature = 1.0, sure = SURE, pair = PAIR, floor = 0.0 } = {}) {
    if (!(Number.isFinite(temperature) && temperature > 0)) {
      throw new Error(`temperature must be a positive number, not ${temperature}.`);
    }
    for (const [name, value] of [["sure", sure], ["pair", pair]]) {
      if (!(value > 0 && value <= 1)) throw new Error(`${name} must be in (0, 1], not ${value}.`);
    }
    if (!(floor >= 0 && floor <= 1)) throw new Error(`floor must be in [0, 1], not ${floor}.`);
    return { temperature, sure, pair, floor };
  }

  /** softmax(log(max(p, EPSILON)) / T): a Float64Array of 10 calibrated probabilities. */
  function apply(probabilities, temperature) {
    const z = Array.from(probabilities, (p) => Math.log(Math.max(p, EPSILON)) / temperature);
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const total = e.reduce((a, b) => a + b, 0);
    return Float64Array.from(e, (v) => v / total);
  }

  /** The two most likely digits, most likely first (ties: the smaller digit, as numpy). */
  function topTwo(calibrated) {
    const order = Array.from(calibrated.keys()).sort((a, b) => calibrated[b] - calibrated[a] || a - b);
    return [order[0], order[1]];
  }

  /** "digit", "unsure" or "not_a_digit" for CALIBRATED probabilities: below the floor a digit
   *  read at CLEAR or more is still answered, and a drawing whose top digit reaches UNUSUAL is
   *  an unusual digit ("unsure"); "not_a_digit" only when no digit leads. */
  function verdict(calibrated, sure = SURE, pair = PAIR, floor = 0.0) {
    const [first, second] = topTwo(calibrated);
    const top = calibrated[first];
    const two = top + calibrated[second];
    const digitLike = two >= floor || top >= CLEAR;
    if (digitLike && top >= sure) return "digit";
    if ((digitLike && two >= pair) || top >= UNUSUAL) return "unsure";
    return "not_a_digit";
  }

  /** What the app says for a verdict (as handwriting.recognizer.verdict_message). */
  function message(verdictName, calibrated) {
    if (verdictName === "unsure") {
      const [first, second] = topTwo(calibrated);
      return `Not sure: a ${first} or a ${second}?`;
    }
    return verdictName === "not_a_digit" ? NOT_A_DIGIT_MESSAGE : "";
  }

  window.HandwritingCalibration = { SURE, PAIR, CLEAR, UNUSUAL, EPSILON, create, apply, verdict, message };
})();
