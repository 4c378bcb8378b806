/* The canvas -> 28x28 preprocessing spec (PREPROCESSING.md), the JavaScript twin of
 * handwriting/preprocess.py. Same constants, same steps, same float64 arithmetic; tests run both
 * on the same pixels and require the same 28x28 to 1e-6. Plain script: defines
 * window.HandwritingPreprocess. */
(function () {
  "use strict";

  const CANVAS_SIZE = 280;
  const MODEL_SIZE = 28;
  const DIGIT_BOX = 20;
  const STROKE_WIDTH = 20;
  const MIN_DIGIT_FRACTION = 0.1;
  const MAX_INK_FRACTION = 0.5;
  const MIN_INK_MASS = 10.0;
  const CENTER_OF_MASS = 14.0;

  const MESSAGES = {
    blank: "Draw a digit first: the canvas is empty.",
    too_small: "Draw the digit bigger: that looks like a dot, not a digit.",
    too_full: "Clear the pad and draw one digit: more than half of the canvas is inked.",
    too_little: "Draw a digit: there is too little ink here to read.",
  };

  function drawingError(reason) {
    const error = new Error(MESSAGES[reason]);
    error.reason = reason;
    return error;
  }

  /** Ink per pixel, (R/255) * (A/255): a Float64Array of height*width. */
  function inkFromImageData(imageData) {
    const { width, height, data } = imageData;
    const ink = new Float64Array(width * height);     // zeros: a black or clear pixel stays 0
    for (let i = 0; i < ink.length; i++) {
      const red = data[4 * i], alpha = data[4 * i + 3];
      if (red && alpha) ink[i] = (red / 255) * (alpha / 255);
    }
    return ink;
  }

  /** Rows of weights that area-average a length-n axis to length m (see area_matrix). */
  function areaMatrix(n, m) {
    const scale = n / m;
    const rows = [];
    for (let o = 0; o < m; o++) {
      const start = o * scale;
      const stop = (o + 1) * scale;
      const row = new Float64Array(n);
      for (let i = Math.floor(start); i < Math.min(n, Math.ceil(stop)); i++) {
        const overlap = Math.min(stop, i + 1) - Math.max(start, i);
        if (overlap > 0) row[i] = overlap / scale;
      }
      rows.push(row);
    }
    return rows;
  }

  /** Area-average an image (Float64Array, h x w, row-major) to outH x outW. */
  function areaResize(image, h, w, outH, outW) {
    const rows = areaMatrix(h, outH);
    const cols = areaMatrix(w, outW);
    const tmp = new Float64Array(outH * w);           // rows @ image
    for (let o = 0; o < outH; o++) {
      const weights = rows[o];
      for (let i = 0; i < h; i++) {
        const weight = weights[i];
        if (weight === 0) continue;
        for (let x = 0; x < w; x++) tmp[o * w + x] += weight * image[i * w + x];
      }
    }
    const out = new Float64Array(outH * outW);         // (rows @ image) @ cols^T
    for (let o = 0; o < outH; o++) {
      for (let p = 0; p < outW; p++) {
        const weights = cols[p];
        let sum = 0;
        for (let x = 0; x < w; x++) if (weights[x] !== 0) sum += tmp[o * w + x] * weights[x];
        out[o * outW + p] = sum;
      }
    }
    return out;
  }

  /** The refusals decided on canvas pixels ("blank", "too_full", "too_small") or the ink's box. */
  function checkInk(ink, h, w) {
    let count = 0, top = h, bottom = -1, left = w, right = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (ink[y * w + x] > 0) {
          count++;
          if (y < top) top = y;
          if (y > bottom) bottom = y;
          if (x < left) left = x;
          if (x > right) right = x;
        }
      }
    }
    if (count === 0) return { reason: "blank" };
    if (count / (h * w) > MAX_INK_FRACTION) return { reason: "too_full" };
    const extent = Math.max(bottom - top + 1, right - left + 1);
    if (extent < MIN_DIGIT_FRACTION * Math.max(h, w)) return { reason: "too_small" };
    return { reason: null, top, bottom, left, right };
  }

  function shiftCenterOfMass(digit) {
    const n = MODEL_SIZE;
    let total = 0;
    for (let i = 0; i < n * n; i++) total += digit[i];
    const shifts = [];
    for (const axis of [0, 1]) {
      const profile = new Float64Array(n);
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) profile[axis === 0 ? y : x] += digit[y * n + x];
      }
      let moment = 0, first = -1, last = -1;
      for (let i = 0; i < n; i++) {
        moment += profile[i] * i;
        if (profile[i] > 0) { if (first < 0) first = i; last = i; }
      }
      // rounded to 6 decimals like numpy: exact half-pixel ties break the same way in both
      const mass = Math.floor((moment / total) * 1e6 + 0.5) / 1e6;
      const shift = Math.floor(CENTER_OF_MASS - mass + 0.5);
      shifts.push(Math.min(Math.max(shift, -first), n - 1 - last));
    }
    const [dy, dx] = shifts;
    const shifted = new Float64Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const sy = y - dy, sx = x - dx;
        if (sy >= 0 && sy < n && sx >= 0 && sx < n) shifted[y * n + x] = digit[sy * n + sx];
      }
    }
    return shifted;
  }

  function centerLikeMnist(ink, w, box) {
    const height = box.bottom - box.top + 1;
    const width = box.right - box.left + 1;
    const side = Math.max(height, width);
    const padY = Math.floor((side - height) / 2);
    const padX = Math.floor((side - width) / 2);
    const square = new Float64Array(side * side);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        square[(y + padY) * side + x + padX] = ink[(y + box.top) * w + x + box.left];
      }
    }
    const small = areaResize(square, side, side, DIGIT_BOX, DIGIT_BOX);
    const digit = new Float64Array(MODEL_SIZE * MODEL_SIZE);
    const offset = Math.floor((MODEL_SIZE - DIGIT_BOX) / 2);
    for (let y = 0; y < DIGIT_BOX; y++) {
      for (let x = 0; x < DIGIT_BOX; x++) {
        digit[(y + offset) * MODEL_SIZE + x + offset] = small[y * DIGIT_BOX + x];
      }
    }
    return shiftCenterOfMass(digit);
  }

  /** Sum of a centred 28x28 image, rounded to 6 decimals like numpy (see _ink_mass). */
  function inkMass(digit) {
    let total = 0;
    for (let i = 0; i < digit.length; i++) total += digit[i];
    return Math.floor(total * 1e6 + 0.5) / 1e6;
  }

  /** {reason, digit}: the refusal reason or null, and the centred 28x28 (null if refused before
   *  centring). Less than MIN_INK_MASS reaching the model is "too_little": a frame, specks, dust. */
  function checkAndCenter(ink, h, w) {
    const box = checkInk(ink, h, w);
    if (box.reason) return { reason: box.reason, digit: null };
    const digit = centerLikeMnist(ink, w, box);
    return { reason: inkMass(digit) < MIN_INK_MASS ? "too_little" : null, digit };
  }

  /** ImageData-like {width, height, data (RGBA)} -> Float32Array(784) in [0, 1].
   *  Throws an Error with .reason "blank" | "too_small" | "too_full" | "too_little" instead of
   *  guessing. */
  function preprocess(imageData, center = true) {
    return preprocessInk(inkFromImageData(imageData), imageData.height, imageData.width, center);
  }

  /** Steps 2-4 on an ink image (Float64Array of h*w in [0, 1], row-major), as Python's
   *  preprocess_ink: a number's digits (numbers.js) come here as ink, not as a canvas. */
  function preprocessInk(ink, h, w, center = true) {
    const checked = checkAndCenter(ink, h, w);
    if (checked.reason) throw drawingError(checked.reason);
    const image = center ? checked.digit : areaResize(ink, h, w, MODEL_SIZE, MODEL_SIZE);
    const out = new Float32Array(MODEL_SIZE * MODEL_SIZE);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(image[i], 0), 1);
    return out;
  }

  /** The refusal reason for a drawing, or null when it can be read. */
  function checkDrawing(imageData) {
    return checkAndCenter(inkFromImageData(imageData), imageData.height, imageData.width).reason;
  }

  window.HandwritingPreprocess = {
    CANVAS_SIZE, MODEL_SIZE, DIGIT_BOX, STROKE_WIDTH, MIN_DIGIT_FRACTION, MAX_INK_FRACTION,
    MIN_INK_MASS, CENTER_OF_MASS,
    MESSAGES, preprocess, preprocessInk, inkFromImageData, checkDrawing, areaResize,
  };
})();
