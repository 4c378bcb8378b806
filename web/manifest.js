/* export.json, read and checked: the JavaScript twin of handwriting.export.read_manifest, with
 * the same rules (CALIBRATION.md, "export.json"): unknown keys (with the key a misspelt one was
 * meant to be), missing keys, values of the wrong kind, numbers out of range and broken JSON are
 * refused with a message naming the file; tests feed both readers the same files in Chromium.
 * Needs calibration.js (the numbers' ranges). Plain script: defines window.HandwritingManifest. */
(function () {
  "use strict";

  const C = window.HandwritingCalibration;
  const FILE = "export.json";
  const FORMAT = "tfjs_graph_model";
  const MODEL_JSON = "model/model.json";
  const QUANTIZATIONS = ["float32", "float16", "uint8"];
  const MODEL_INPUT = [null, 28, 28, 1];
  const MODEL_OUTPUT = [null, 10];
  // In the order both readers check them; "calibration" is optional (exports written before
  // it existed have none), and so are its "floor" and "model_fingerprint" (a string or null).
  const KEYS = ["format", "tfjs", "quantization", "model", "input", "output", "model_name",
    "calibration"];
  const OPTIONAL = ["calibration"];
  const CALIBRATION_NUMBERS = ["temperature", "sure", "pair", "floor"];
  const CALIBRATION_KEYS = [...CALIBRATION_NUMBERS, "model_fingerprint"];
  const CALIBRATION_OPTIONAL = ["floor", "model_fingerprint"];
  const FIX = "Export the app again to write a correct one (the export panel, or " +
    "`python -m handwriting export --overwrite`).";

  function fail(file, problem) {
    return new Error(`${file}: ${problem}. ${FIX}`);
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  /** The JSON name of a parsed value's type, as the messages (and Python) say it. */
  function jsonType(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    return { boolean: "a boolean", number: "a number", string: "a string" }[typeof value] ||
      "an object";
  }

  /** Levenshtein distance over code points (insertions, deletions, substitutions). */
  function editDistance(a, b) {
    const x = Array.from(a), y = Array.from(b);
    let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
    x.forEach((cx, i) => {
      const current = [i + 1];
      y.forEach((cy, j) => current.push(
        Math.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (cx === cy ? 0 : 1))));
      previous = current;
    });
    return previous[y.length];
  }

  /** ' (did you mean "calibration"?)' for the known key at most 2 edits away, else ''. */
  function didYouMean(key, known) {
    let best = null;
    for (const name of known) {
      const distance = editDistance(key, name);
      const closer = best === null || distance < best.distance ||
        (distance === best.distance && name < best.name);       // ties: as Python's min()
      if (closer) best = { distance, name };
    }
    return best.distance <= 2 && best.distance < Array.from(key).length ?
      ` (did you mean "${best.name}"?)` : "";
  }

  function checkKeys(values, known, optional, prefix, file) {
    const unknown = Object.keys(values).filter((key) => !known.includes(key)).sort();
    if (unknown.length) {
      const listed = unknown.map((key) => `"${prefix}${key}"${didYouMean(key, known)}`).join(", ");
      throw fail(file, `unknown key${unknown.length > 1 ? "s" : ""} ${listed}`);
    }
    const missing = known.filter((key) => !has(values, key) && !optional.includes(key));
    if (missing.length) {
      const listed = missing.map((key) => `"${prefix}${key}"`).join(", ");
      throw fail(file, `key${missing.length > 1 ? "s" : ""} ${listed} ` +
        `${missing.length > 1 ? "are" : "is"} missing`);
    }
  }

  function sameShape(value, expected) {
    return Array.isArray(value) && value.length === expected.length &&
      value.every((v, i) => (expected[i] === null ? v === null : v === expected[i]));
  }

  function wrong(key, expected, value) {
    return `"${key}" must be ${expected}, not ${JSON.stringify(value)}`;
  }

  /** export.json's "calibration": keys and types here, the numbers' ranges by
   *  HandwritingCalibration.create (as Python's Calibration.from_dict). */
  function checkCalibration(section, file) {
    if (jsonType(section) !== "an object") {
      throw fail(file, `"calibration" must be an object, not ${jsonType(section)}`);
    }
    checkKeys(section, CALIBRATION_KEYS, CALIBRATION_OPTIONAL, "calibration.", file);
    const numbers = CALIBRATION_NUMBERS.filter((key) => has(section, key));
    for (const key of numbers) {
      if (typeof section[key] !== "number") {
        throw fail(file, wrong(`calibration.${key}`, "a number", section[key]));
      }
    }
    const fingerprint = has(section, "model_fingerprint") ? section.model_fingerprint : null;
    if (!(fingerprint === null || typeof fingerprint === "string")) {
      throw fail(file, wrong("calibration.model_fingerprint", "a string or null", fingerprint));
    }
    let checked;
    try {
      checked = C.create(Object.fromEntries(numbers.map((key) => [key, section[key]])));
    } catch (err) {
      throw fail(file, `"calibration" is out of range: ${err.message.replace(/\.$/, "")}`);
    }
    if (has(section, "model_fingerprint")) checked.model_fingerprint = fingerprint;
    return checked;
  }

  /** export.json's parsed content, checked: the same object with the default calibration for
   *  exports written before there was one. Throws an Error naming `file` and the key at fault. */
  function check(manifest, file = FILE) {
    if (jsonType(manifest) !== "an object") {
      throw fail(file, `not an object ({...}) but ${jsonType(manifest)}`);
    }
    checkKeys(manifest, KEYS, OPTIONAL, "", file);
    const rules = [
      ["format", (v) => v === FORMAT, `"${FORMAT}" (an export of this lab)`],
      ["tfjs", (v) => typeof v === "string" && v !== "", 'a TF.js version such as "4.22.0"'],
      ["quantization", (v) => QUANTIZATIONS.includes(v), '"float32", "float16" or "uint8"'],
      ["model", (v) => v === MODEL_JSON, `"${MODEL_JSON}" (the app loads only that)`],
      ["input", (v) => sameShape(v, MODEL_INPUT), "[null, 28, 28, 1]"],
      ["output", (v) => sameShape(v, MODEL_OUTPUT), "[null, 10]"],
      ["model_name", (v) => typeof v === "string", "a string"],
    ];
    for (const [key, ok, expected] of rules) {
      if (!ok(manifest[key])) throw fail(file, wrong(key, expected, manifest[key]));
    }
    const calibration = has(manifest, "calibration") ?
      checkCalibration(manifest.calibration, file) : C.create({});
    return { ...manifest, calibration };
  }

  /** export.json's text, parsed and checked. */
  function parse(text, file = FILE) {
    let manifest;
    try {
      manifest = JSON.parse(text);
    } catch (err) {
      throw fail(file, `not valid JSON (${String(err.message).replace(/\.$/, "")})`);
    }
    return check(manifest, file);
  }

  /** export.json's bytes (an ArrayBuffer, as fetched), decoded as UTF-8 (a BOM is allowed),
   *  parsed and checked. */
  function read(bytes, file = FILE) {
    let text;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (err) {
      throw fail(file, "not UTF-8 text");
    }
    return parse(text, file);
  }

  window.HandwritingManifest = {
    FILE, KEYS, OPTIONAL, CALIBRATION_KEYS, CALIBRATION_OPTIONAL, read, parse, check,
  };
})();
