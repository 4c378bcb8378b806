/* A number -> its digits (NUMBERS.md), the JavaScript twin of handwriting/numbers/: from the
 * pad's strokes (the app's number mode: exact grouping) and from a canvas's pixels. Same
 * constants, same steps, same float64 arithmetic; tests run both on the same canvases (and
 * strokes) in Chromium and require the same boxes and the same text. Each digit
 * is then read by the single-digit path unchanged: preprocess.js, the model, calibration (the
 * app's predict and judge). Plain script: defines window.HandwritingNumbers. */
(function () {
  "use strict";

  const P = window.HandwritingPreprocess;

  const MERGE_OVERLAP = 0.5;
  const SPLIT_RATIO = 1.3;
  const MIN_PIECE = 0.2;
  const VALLEY_SHARE = 0.5;
  const SQUARE_SIDE = 1.5;
  const MAX_DIGITS = 12;
  const UNSURE = "?";

  const BLANK_MESSAGE = "Write a number first: the canvas is empty.";
  const TOUCHING_MESSAGE = "Not sure: digits touching? Leave a little space between them.";

  function tooManyMessage(count) {
    return `Too many separate marks to read as a number (${count}); write at most ` +
      `${MAX_DIGITS} digits side by side.`;
  }

  /** "The canvas": throws unless h x w can hold a number (as check_number_canvas). */
  function checkNumberCanvas(height, width) {
    if (Math.min(height, width) < P.MODEL_SIZE) {
      throw new Error(`The canvas is ${width}x${height}; it must be at least ` +
        `${P.MODEL_SIZE} pixels high.`);
    }
    if (width < height) {
      throw new Error(`The canvas is ${width}x${height} (width x height): its width must be ` +
        "at least its height (a number is written in a row; a square holds one digit).");
    }
  }

  /** A piece of ink: {box: [x0, y0, x1, y1] (half-open, canvas pixels), h, w, ink (Float64Array
   *  of h*w, row-major: this digit's ink only), touching, doubtful} (as Python's Piece). */
  function makePiece(box, ink, touching = false, doubtful = false) {
    return { box, h: box[3] - box[1], w: box[2] - box[0], ink, touching, doubtful };
  }

  /** Columns left..right-1 and rows top..bottom-1 of an ink image `width` wide. */
  function crop(ink, width, left, top, right, bottom) {
    const w = right - left;
    const out = new Float64Array((bottom - top) * w);
    for (let y = top; y < bottom; y++) {
      for (let x = left; x < right; x++) out[(y - top) * w + x - left] = ink[y * width + x];
    }
    return out;
  }

  // ------------------------------------------------------------ steps 1-3: parts and groups

  /** Step 1, from pixels: 8-connected regions of ink > 0, numbered in the order a row-by-row scan
   *  meets them. {labels (Int32Array, 0: no ink, region i is i + 1), regions: [{x0, y0, x1, y1}]}
   *  (as scipy.ndimage.label and find_objects). */
  function inkRegions(ink, h, w) {
    const labels = new Int32Array(h * w);
    const stack = new Int32Array(h * w);
    const regions = [];
    for (let start = 0; start < h * w; start++) {
      if (!(ink[start] > 0) || labels[start]) continue;
      const label = regions.length + 1;
      const region = { x0: w, y0: h, x1: 0, y1: 0 };
      let top = 0;
      stack[top++] = start;
      labels[start] = label;
      while (top > 0) {
        const i = stack[--top];
        const y = (i / w) | 0, x = i - y * w;
        region.x0 = Math.min(region.x0, x); region.x1 = Math.max(region.x1, x + 1);
        region.y0 = Math.min(region.y0, y); region.y1 = Math.max(region.y1, y + 1);
        for (let ny = Math.max(y - 1, 0); ny <= Math.min(y + 1, h - 1); ny++) {
          for (let nx = Math.max(x - 1, 0); nx <= Math.min(x + 1, w - 1); nx++) {
            const j = ny * w + nx;
            if (ink[j] > 0 && !labels[j]) { labels[j] = label; stack[top++] = j; }
          }
        }
      }
      regions.push(region);
    }
    return { labels, regions };
  }

  /** Step 2: indices of parts in digit groups, left to right (as group_parts). `extents` are
   *  the parts' column ranges [left, right] in step 1's order. */
  function groupParts(extents) {
    const order = extents.map((_, i) => i).sort((i, j) =>
      extents[i][0] - extents[j][0] || extents[i][1] - extents[j][1] || i - j);
    const groups = [];
    let left = 0, right = 0;
    for (const i of order) {
      const [a, b] = extents[i];
      if (groups.length &&
          Math.min(right, b) - Math.max(left, a) >= MERGE_OVERLAP * Math.min(right - left, b - a)) {
        groups[groups.length - 1].push(i);
        right = Math.max(right, b);
      } else {
        groups.push([i]);
        left = a;
        right = b;
      }
    }
    return groups;
  }

  function tooMany(count) {
    const error = new Error(tooManyMessage(count));
    error.reason = "too_many";
    error.count = count;
    return error;
  }

  function checkCount(count) {
    if (count > MAX_DIGITS) throw tooMany(count);
  }

  /** Steps 1-3 from pixels (as pixel_groups): an ImageData-like {width, height, data (RGBA)}
   *  -> one piece per group, each keeping only its own regions' ink. */
  function pixelGroups(imageData) {
    const { width: w, height: h } = imageData;
    checkNumberCanvas(h, w);
    const ink = P.inkFromImageData(imageData);
    const { labels, regions } = inkRegions(ink, h, w);
    const groups = groupParts(regions.map((r) => [r.x0, r.x1]));
    checkCount(groups.length);
    return groups.map((group) => {
      const member = new Uint8Array(regions.length + 1);   // member[label]: in this group
      for (const i of group) member[i + 1] = 1;
      let x0 = w, y0 = h, x1 = 0, y1 = 0;          // the union of its regions' boxes
      for (const i of group) {
        x0 = Math.min(x0, regions[i].x0); x1 = Math.max(x1, regions[i].x1);
        y0 = Math.min(y0, regions[i].y0); y1 = Math.max(y1, regions[i].y1);
      }
      const own = new Float64Array((y1 - y0) * (x1 - x0));
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          if (member[labels[y * w + x]]) own[(y - y0) * (x1 - x0) + x - x0] = ink[y * w + x];
        }
      }
      return makePiece([x0, y0, x1, y1], own);
    });
  }

  /** How far beyond a stroke's points its ink may reach on a canvas: half the brush, and the
   *  anti-aliased edge's pixels. */
  function inkReach(brush) {
    return brush / 2 + 2;
  }

  /** Steps 1-3 from strokes (as stroke_groups): the pad's strokes (arrays of [x, y] canvas
   *  points, drawn with a brush `brush` wide) on a canvas `height` x `width`. Each stroke's
   *  column range is its points' x range widened by half the brush; groupParts groups them, and
   *  `drawGroup(strokes, [x0, y0, x1, y1])` gives a group's pixels as if it were drawn alone,
   *  exactly as the pad draws it: that region's ImageData (the group's strokes are the very
   *  arrays given here). One piece per group (none for a group off the canvas). */
  function strokeGroups(strokes, height, width, brush, drawGroup) {
    checkNumberCanvas(height, width);
    const parts = strokes.filter((stroke) => stroke.length);
    const boxes = parts.map((stroke) => {        // [min x, min y, max x, max y] of its points
      const box = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [x, y] of stroke) {
        box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y);
      }
      return box;
    });
    const radius = brush / 2;
    const groups = groupParts(boxes.map((box) => [box[0] - radius, box[2] + radius]));
    checkCount(groups.length);
    const reach = inkReach(brush);
    const pieces = groups.map((group) => {
      const x0 = Math.min(...group.map((i) => boxes[i][0]));
      const y0 = Math.min(...group.map((i) => boxes[i][1]));
      const x1 = Math.max(...group.map((i) => boxes[i][2]));
      const y1 = Math.max(...group.map((i) => boxes[i][3]));
      const left = Math.max(Math.floor(x0 - reach), 0), top = Math.max(Math.floor(y0 - reach), 0);
      const right = Math.min(Math.ceil(x1 + reach), width);
      const bottom = Math.min(Math.ceil(y1 + reach), height);
      if (left >= right || top >= bottom) return null;
      const region = drawGroup(group.map((i) => parts[i]), [left, top, right, bottom]);
      return trimmed(P.inkFromImageData(region), bottom - top, right - left, left, top);
    });
    return pieces.filter((piece) => piece !== null);
  }

  // ------------------------------------------------------------ step 4: touching digits

  /** The inked part of an ink image h x w whose top-left is canvas pixel (x0, y0), as a piece,
   *  or null (as _trimmed). */
  function trimmed(ink, h, w, x0, y0, touching = false) {
    let top = h, bottom = 0, left = w, right = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (ink[y * w + x] > 0) {
          top = Math.min(top, y); bottom = Math.max(bottom, y + 1);
          left = Math.min(left, x); right = Math.max(right, x + 1);
        }
      }
    }
    if (bottom === 0) return null;
    const box = [x0 + left, y0 + top, x0 + right, y0 + bottom];
    return makePiece(box, crop(ink, w, left, top, right, bottom), touching);
  }

  /** Step 4.1: ink per column, summed top to bottom, rounded to 6 decimals (as column_profile). */
  function columnProfile(piece) {
    const profile = new Float64Array(piece.w);
    for (let y = 0; y < piece.h; y++) {
      for (let x = 0; x < piece.w; x++) profile[x] += piece.ink[y * piece.w + x];
    }
    return profile.map((sum) => Math.floor(sum * 1e6 + 0.5) / 1e6);
  }

  /** Steps 4.2-4.4: {column, clear}, the clearest valley (as find_cut); column -1: none. */
  function findCut(piece) {
    const { h, w } = piece;
    const profile = columnProfile(piece);
    const margin = Math.max(Math.ceil(MIN_PIECE * h), 1);
    if (w - margin <= margin) return { column: -1, clear: false };
    const leftPeak = new Float64Array(w);    // leftPeak[c] = max(profile[0 .. c])
    const rightPeak = new Float64Array(w);   // rightPeak[c] = max(profile[c .. w - 1])
    for (let c = 0; c < w; c++) leftPeak[c] = Math.max(profile[c], c ? leftPeak[c - 1] : 0);
    for (let c = w - 1; c >= 0; c--) {
      rightPeak[c] = Math.max(profile[c], c < w - 1 ? rightPeak[c + 1] : 0);
    }
    let best = -1, bestValley = Infinity;
    for (let c = margin; c < w - margin; c++) {
      const valley = profile[c] / Math.min(leftPeak[c - 1], rightPeak[c + 1]);
      if (valley < bestValley) { best = c; bestValley = valley; }   // the leftmost of equals
    }
    return { column: best, clear: bestValley <= VALLEY_SHARE };
  }

  /** Step 4: a group cut into digits (as split_touching). */
  function splitTouching(piece) {
    if (piece.w <= SPLIT_RATIO * piece.h) return [piece];
    const { column, clear } = findCut(piece);
    if (!clear) return [makePiece(piece.box, piece.ink, piece.touching, true)];
    const [x0, y0] = piece.box;
    const sides = [
      trimmed(crop(piece.ink, piece.w, 0, 0, column, piece.h), piece.h, column, x0, y0, true),
      trimmed(crop(piece.ink, piece.w, column, 0, piece.w, piece.h), piece.h, piece.w - column,
        x0 + column, y0, true),
    ];
    return sides.filter((side) => side !== null).flatMap(splitTouching);
  }

  /** Every group split: the digits, left to right (as cut_digits). */
  function cutDigits(groups) {
    const pieces = groups.flatMap(splitTouching);
    checkCount(pieces.length);
    return pieces;
  }

  // ------------------------------------------------------------ step 5: the square

  /** The number's digit height D: the tallest piece's. */
  function digitHeight(pieces) {
    return pieces.reduce((tallest, piece) => Math.max(tallest, piece.h), 0);
  }

  /** Step 5: {side, ink (Float64Array side*side)}, the piece's pixels copied 1:1 in the middle of
   *  a black square of side max(ceil(SQUARE_SIDE * D), w, 28) (as digit_square). */
  function digitSquare(piece, height) {
    const side = Math.max(Math.ceil(SQUARE_SIDE * height), piece.w, P.MODEL_SIZE);
    const ink = new Float64Array(side * side);
    const top = Math.floor((side - piece.h) / 2), left = Math.floor((side - piece.w) / 2);
    for (let y = 0; y < piece.h; y++) {
      for (let x = 0; x < piece.w; x++) ink[(top + y) * side + left + x] = piece.ink[y * piece.w + x];
    }
    return { side, ink };
  }

  /** Steps 1-5 on a canvas: {pieces} (the digits, left to right), or {refused: "blank" |
   *  "too_many", message} with no pieces. Throws for a canvas narrower than high. */
  function segment(imageData) {
    return segmentGroups(() => pixelGroups(imageData));
  }

  /** Steps 4-5 on the groups `makeGroups()` returns (steps 1-3, from pixels or strokes). */
  function segmentGroups(makeGroups) {
    let pieces;
    try {
      pieces = cutDigits(makeGroups());
    } catch (err) {
      if (err.reason !== "too_many") throw err;
      return { pieces: [], refused: "too_many", message: err.message };
    }
    if (!pieces.length) return { pieces, refused: "blank", message: BLANK_MESSAGE };
    return { pieces, refused: null, message: "" };
  }

  // ------------------------------------------------------------ steps 6-7: reading and text

  /** Step 7: each digit answered as a digit, else UNSURE (as compose_text). */
  function composeText(digits) {
    return digits.map((d) => (d.verdict === "digit" ? String(d.digit) : UNSURE)).join("");
  }

  /** Steps 1-7: a canvas read as a number (as NumberReader.read). `predict(pixels, n)` resolves
   *  to the model's raw probabilities (n*10) for n preprocessed images (one call for all the
   *  digits); `judge(raw)` is the calibration's {probabilities, verdict, digit, message}.
   *  Resolves to {text, digits, boxes, touching, refused, message}; each digit {verdict, digit,
   *  message, probabilities, pixels} (a refused one: verdict = the reason, no probabilities). */
  async function read(imageData, predict, judge) {
    return readSegmented(segment(imageData), predict, judge);
  }

  /** Steps 1-7 from the pad's strokes (as NumberReader.read_strokes): strokeGroups' arguments,
   *  then read's `predict` and `judge`; resolves to what read does. */
  async function readStrokes(strokes, height, width, brush, drawGroup, predict, judge) {
    const segmented = segmentGroups(() => strokeGroups(strokes, height, width, brush, drawGroup));
    return readSegmented(segmented, predict, judge);
  }

  /** Steps 6-7 on segment's result. */
  async function readSegmented({ pieces, refused, message }, predict, judge) {
    if (refused) return { text: "", digits: [], boxes: [], touching: [], refused, message };
    const height = digitHeight(pieces);
    const inputs = pieces.map((piece) => {
      const square = digitSquare(piece, height);
      try {
        return { pixels: P.preprocessInk(square.ink, square.side, square.side) };
      } catch (err) {
        if (!err.reason) throw err;
        return { refusal: err };
      }
    });
    const readable = inputs.filter((input) => input.pixels);
    const batch = new Float32Array(readable.length * P.MODEL_SIZE * P.MODEL_SIZE);
    readable.forEach((input, i) => batch.set(input.pixels, i * input.pixels.length));
    const raw = readable.length ? await predict(batch, readable.length) : [];
    let next = 0;
    const digits = inputs.map((input, i) => {
      if (input.refusal) {
        const { reason, message: said } = input.refusal;
        return { verdict: reason, digit: null, message: said, probabilities: null, pixels: null };
      }
      const answer = judge(raw.slice(10 * next, 10 * next + 10));
      next++;
      const doubtful = pieces[i].doubtful;      // step 4.6: a wide group with no clear cut
      return {
        ...answer,
        verdict: doubtful ? "unsure" : answer.verdict,
        message: doubtful ? TOUCHING_MESSAGE : answer.message,
        pixels: input.pixels,
      };
    });
    return {
      text: composeText(digits),
      digits,
      boxes: pieces.map((piece) => piece.box),
      touching: pieces.map((piece) => piece.touching || piece.doubtful),
      refused: null,
      message: "",
    };
  }

  window.HandwritingNumbers = {
    MERGE_OVERLAP, SPLIT_RATIO, MIN_PIECE, VALLEY_SHARE, SQUARE_SIDE, MAX_DIGITS, UNSURE,
    BLANK_MESSAGE, TOUCHING_MESSAGE,
    checkNumberCanvas, inkRegions, groupParts, pixelGroups, inkReach, strokeGroups, findCut,
    splitTouching,
    cutDigits, digitHeight, digitSquare, segment, segmentGroups, composeText, read, readStrokes,
  };
})();
