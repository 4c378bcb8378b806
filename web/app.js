/* Handwriting Lab's browser app: draw on #pad, see TF.js read the digit.
 * Model logic first (load, warm up, predict), DOM code after (drawing, bars, status).
 * Tests and the notebook's parity check use window.handwriting (defined at the bottom). */
(function () {
  "use strict";

  const P = window.HandwritingPreprocess;
  const C = window.HandwritingCalibration;
  const M = window.HandwritingManifest;
  const LIVE_INTERVAL_MS = 100;     // at most ~10 live predictions per second while drawing
  const MODEL_URL = "model/model.json";
  const MANIFEST_URL = M.FILE;

  // ------------------------------------------------------------------ model

  let model = null;
  let calibration = C.create();   // the export's own, once export.json is read
  let readyStatus = "Ready";   // names the TF.js backend once the model is loaded

  function base64ToBuffer(text) {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return bytes.buffer;
  }

  /** The model source: inlined by the notebook preview (window.HANDWRITING_MODEL), else files. */
  function modelSource() {
    const inlined = window.HANDWRITING_MODEL;
    if (!inlined) return MODEL_URL;
    const json = inlined.modelJSON;
    return tf.io.fromMemory({
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
      userDefinedMetadata: json.userDefinedMetadata,
      modelInitializer: json.modelInitializer,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: base64ToBuffer(inlined.weightsBase64),
    });
  }

  /** export.json, checked by manifest.js: inlined by the notebook preview, else fetched. */
  async function loadManifest() {
    if (window.HANDWRITING_MODEL) return M.check(window.HANDWRITING_MODEL.manifest);
    let bytes;
    try {
      const response = await fetch(MANIFEST_URL);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = await response.arrayBuffer();
    } catch (err) {
      throw new Error(`Could not read ${MANIFEST_URL} (${err.message || err}). ` +
        "Export the app again from the notebook or with `python -m handwriting export`.");
    }
    return M.read(bytes);
  }

  /** What to do when index.html was opened straight from disk: browsers let no page read its
   *  own files over file://, so the model must come from a web server, even a local one. */
  function openedFromDisk() {
    const folder = decodeURIComponent(location.pathname).replace(/[^/]*$/, "")
      .replace(/^\/([A-Za-z]:)/, "$1") || ".";          // file:///C:/... is C:/... on Windows
    return "This page was opened from disk (file://), where the browser does not let it read " +
      `its model. Serve the folder instead: python -m http.server 8000 --directory "${folder}", ` +
      "then open http://localhost:8000/ (or put the folder on any web server).";
  }

  /** Pick the backend (backend.js), then load and warm up the model; resolves to the backend
   *  choice in words for the status line. */
  async function loadModel() {
    if (location.protocol === "file:" && !window.HANDWRITING_MODEL) throw new Error(openedFromDisk());
    const manifest = await loadManifest();     // a damaged one is refused before the slow part
    const backend = await window.HandwritingBackend.chooseBackend();
    let loaded;
    try {
      loaded = await tf.loadGraphModel(modelSource());
    } catch (err) {
      const reason = String(err.message || err).replace(/\.+$/, "");
      throw new Error(`Could not load the model (${MODEL_URL} and its weight files): ${reason}. ` +
        "Export the app again from the notebook or with `python -m handwriting export`.");
    }
    tf.tidy(() => { loaded.predict(tf.zeros([1, P.MODEL_SIZE, P.MODEL_SIZE, 1])).dataSync(); });
    calibration = manifest.calibration;
    model = loaded;   // warmed up: the first real prediction is as fast as the rest
    return window.HandwritingBackend.describe(backend);
  }

  /** Probabilities (Float32Array of n*10) for n preprocessed images (Float32Array of n*784). */
  async function predictPixels(pixels, n) {
    if (!model) throw new Error("The model is not loaded yet.");
    const probabilities = tf.tidy(() =>
      model.predict(tf.tensor4d(pixels, [n, P.MODEL_SIZE, P.MODEL_SIZE, 1])));
    try {
      return await probabilities.data();
    } finally {
      probabilities.dispose();
    }
  }

  /** Raw probabilities -> {probabilities (calibrated), verdict, digit, message}: the rule of
   *  CALIBRATION.md with this export's temperature and thresholds. */
  function judge(raw) {
    const probabilities = C.apply(raw, calibration.temperature);
    const verdict = C.verdict(probabilities, calibration.sure, calibration.pair, calibration.floor);
    let digit = 0;
    for (let d = 1; d < 10; d++) if (probabilities[d] > probabilities[digit]) digit = d;
    return { probabilities, verdict, digit, message: C.message(verdict, probabilities) };
  }

  /** A wide canvas read as a number (NUMBERS.md): every digit through the same preprocessing,
   *  model (one call for all) and calibration as a single drawing. */
  function readNumberPixels(imageData) {
    return window.HandwritingNumbers.read(imageData, predictPixels, judge);
  }

  /** The number pad's own strokes read as a number (NUMBERS.md, parts from strokes): grouped
   *  by stroke, so digits whose ink touches stay apart; each group's pixels as if drawn alone. */
  function readNumberPadStrokes() {
    const [height, width] = NUMBER_PAD;
    let padPixels = null;   // read from the pad at most once per reading
    const groupPixels = (group, box) => {
      if (reachesBox(strokes.filter((stroke) => !group.includes(stroke)), box)) {
        return drawGroup(group, box);
      }
      padPixels = padPixels || padContext.getImageData(0, 0, pad.width, pad.height);
      return cropImage(padPixels, box);
    };
    return window.HandwritingNumbers.readStrokes(
      strokes, height, width, P.STROKE_WIDTH, groupPixels, predictPixels, judge);
  }

  // -------------------------------------------------------------------- DOM

  const pad = document.getElementById("pad");
  const padContext = pad.getContext("2d", { willReadFrequently: true });
  const preview = document.getElementById("preview").getContext("2d");
  const status = document.getElementById("status");
  const prediction = document.getElementById("prediction");
  const confidence = document.getElementById("confidence");
  const bars = buildBars(document.getElementById("probabilities"));
  const boxes = document.getElementById("boxes").getContext("2d");
  const numberText = document.getElementById("number");
  const numberMessage = document.getElementById("number-message");
  const numberDigits = document.getElementById("number-digits");
  const NUMBER_PAD = [P.CANVAS_SIZE, 3 * P.CANVAS_SIZE];   // NUMBERS.md, "The canvas": H x W
  let strokes = [];     // the pad's strokes as drawn (lists of [x, y]): the number mode's parts

  /** The pad's brush: a dot where a stroke starts, a round-capped line to each next point. */
  function drawDot(context, [x, y]) {
    context.fillStyle = "#fff";
    context.beginPath();
    context.arc(x, y, P.STROKE_WIDTH / 2, 0, 2 * Math.PI);
    context.fill();
  }

  function drawLine(context, [x0, y0], [x1, y1]) {
    context.strokeStyle = "#fff";
    context.lineWidth = P.STROKE_WIDTH;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.beginPath();
    context.moveTo(x0, y0);
    context.lineTo(x1, y1);
    context.stroke();
  }

  /** A whole stroke as the pad draws it while it is written: its dot, then each line. */
  function drawStroke(context, points) {
    drawDot(context, points[0]);
    for (let i = 1; i < points.length; i++) drawLine(context, points[i - 1], points[i]);
  }

  const groupContext = document.createElement("canvas")
    .getContext("2d", { willReadFrequently: true });

  /** Some strokes drawn alone, exactly as the pad draws them (same brush, same order), on a
   *  canvas of the number pad's size: the ImageData of `[x0, y0, x1, y1]` (numbers.js asks for
   *  a region holding all their ink). */
  function drawGroup(group, [x0, y0, x1, y1]) {
    const canvas = groupContext.canvas;
    if (canvas.width !== NUMBER_PAD[1] || canvas.height !== NUMBER_PAD[0]) {
      [canvas.height, canvas.width] = NUMBER_PAD;
    }
    groupContext.fillStyle = "#000";
    groupContext.fillRect(x0, y0, x1 - x0, y1 - y0);
    for (const stroke of group) drawStroke(groupContext, stroke);
    return groupContext.getImageData(x0, y0, x1 - x0, y1 - y0);
  }

  /** Whether any of `others`' ink may reach the box [x0, y0, x1, y1]: a segment (or a dot)
   *  whose bounding box, grown by the brush's reach, meets it. When none may, the pad's own
   *  pixels in the box are a group's drawn alone (the usual case: it is much faster to read
   *  them than to draw the group again). */
  function reachesBox(others, [x0, y0, x1, y1]) {
    const reach = window.HandwritingNumbers.inkReach(P.STROKE_WIDTH);
    for (const stroke of others) {
      for (let i = 0; i < stroke.length; i++) {
        const [ax, ay] = stroke[i], [bx, by] = stroke[Math.max(i - 1, 0)];
        if (Math.min(ax, bx) - reach < x1 && Math.max(ax, bx) + reach > x0 &&
            Math.min(ay, by) - reach < y1 && Math.max(ay, by) + reach > y0) return true;
      }
    }
    return false;
  }

  /** The box [x0, y0, x1, y1] of an ImageData, as an ImageData-like {width, height, data}. */
  function cropImage(image, [x0, y0, x1, y1]) {
    const w = x1 - x0, h = y1 - y0;
    const data = new Uint8ClampedArray(4 * w * h);
    for (let y = 0; y < h; y++) {
      const from = 4 * ((y0 + y) * image.width + x0);
      data.set(image.data.subarray(from, from + 4 * w), 4 * y * w);
    }
    return { width: w, height: h, data };
  }

  /** Strokes drawn on the pad as a pen would draw them (the pad's own strokes become these). */
  function drawOnPad(written) {
    for (const stroke of written) {
      const points = stroke.map(([x, y]) => [x, y]);
      if (!points.length) continue;
      drawStroke(padContext, points);
      strokes.push(points);
    }
  }

  let numberMode = false;

  /** What the status line asks for in this mode. */
  function prompt() {
    return numberMode ? "Write a number" : "Draw a digit";
  }

  function buildBars(container) {
    const made = [];
    for (let digit = 0; digit < 10; digit++) {
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.dataset.digit = String(digit);
      bar.dataset.probability = "0";
      bar.innerHTML = `<span class="digit">${digit}</span><span class="track">` +
        '<span class="fill"></span></span><span class="value"></span>';
      container.appendChild(bar);
      made.push(bar);
    }
    return made;
  }

  function setStatus(text, isError = false) {
    status.textContent = text;
    status.className = isError ? "error" : "ready";
  }

  function clearPad() {
    padContext.fillStyle = "#000";
    padContext.fillRect(0, 0, pad.width, pad.height);
    strokes = [];
    showReading(null, null);
    showNumber(null);
  }

  /** Digit mode (the square pad) or number mode (a pad three times as wide): a fresh pad. */
  function setMode(number) {
    numberMode = number;
    document.body.classList.toggle("number-mode", number);
    document.getElementById("mode-digit").setAttribute("aria-pressed", String(!number));
    document.getElementById("mode-number").setAttribute("aria-pressed", String(number));
    document.querySelector(".number-reading").hidden = !number;
    document.getElementById("title").textContent = number ? "Write a number" : "Draw a digit";
    pad.setAttribute("aria-label", number ? "Drawing pad: write a number, digits side by side" :
      "Drawing pad: draw one digit");
    const [height, width] = number ? NUMBER_PAD : [P.CANVAS_SIZE, P.CANVAS_SIZE];
    for (const canvas of [pad, boxes.canvas]) {
      canvas.width = width;
      canvas.height = height;
    }
    clearPad();
    if (model) setStatus(`${readyStatus}: ${prompt().toLowerCase()}`);
  }

  /** A small card per digit: its answer ("?" when not answered) and its 10 probability bars. */
  function digitCard(digit) {
    const card = document.createElement("div");
    const sure = digit.verdict === "digit";
    card.className = sure ? "digit-card" : "digit-card unsure";
    card.dataset.verdict = digit.verdict;
    card.title = digit.message;
    const answer = document.createElement("div");
    answer.className = "answer";
    answer.textContent = sure ? String(digit.digit) : window.HandwritingNumbers.UNSURE;
    const minis = document.createElement("div");
    minis.className = "mini-bars";
    const labels = document.createElement("div");
    labels.className = "mini-labels";
    for (let d = 0; d < 10; d++) {
      const p = digit.probabilities ? digit.probabilities[d] : 0;
      const bar = document.createElement("span");
      bar.className = digit.probabilities && d === digit.digit ? "mini-bar top" : "mini-bar";
      bar.dataset.probability = p.toFixed(6);
      bar.title = `${d}: ${(100 * p).toFixed(1)} %`;
      const fill = document.createElement("span");
      fill.className = "fill";
      fill.style.height = `${(100 * p).toFixed(1)}%`;   // CSSOM: the page's CSP allows no inline style
      bar.appendChild(fill);
      minis.appendChild(bar);
      labels.appendChild(Object.assign(document.createElement("span"), { textContent: d }));
    }
    card.append(answer, minis, labels);
    return card;
  }

  /** Number mode: the text, a box around each digit on the pad, each digit's card; the first
   *  digit's doubt (or why nothing is read) below the text. */
  function showNumber(number) {
    boxes.clearRect(0, 0, boxes.canvas.width, boxes.canvas.height);
    numberDigits.replaceChildren();
    numberText.textContent = number ? number.text : "";
    const doubt = number && (number.digits.find((d) => d.verdict !== "digit") || number);
    numberMessage.textContent = doubt && number.refused !== "blank" ? doubt.message : "";
    if (!number) return;
    boxes.lineWidth = 3;
    boxes.font = "bold 18px system-ui, sans-serif";
    let free = 0; // labels left to right: one starts where the last one ended (touching digits)
    number.digits.forEach((digit, i) => {
      const [x0, y0, x1, y1] = number.boxes[i];
      const colour = digit.verdict === "digit" ? "#2f7ed8" : "#e08a00";
      boxes.strokeStyle = boxes.fillStyle = colour;
      boxes.strokeRect(x0 - 2.5, y0 - 2.5, x1 - x0 + 5, y1 - y0 + 5);
      const label = digit.verdict === "digit" ? String(digit.digit) : window.HandwritingNumbers.UNSURE;
      const x = Math.max(x0, free);
      boxes.fillText(label, x, Math.max(y0 - 8, 16));
      free = x + boxes.measureText(label).width + 4;
      numberDigits.appendChild(digitCard(digit));
    });
  }

  /** Preview, bars (always, also when unsure) and the answer: a digit, "Not sure: a 4 or a 9?"
   *  or "not a digit" (data-verdict on #prediction says which). */
  function showReading(pixels, reading) {
    const probabilities = reading ? reading.probabilities : null;
    const image = preview.createImageData(P.MODEL_SIZE, P.MODEL_SIZE);
    for (let i = 0; i < P.MODEL_SIZE * P.MODEL_SIZE; i++) {
      const value = pixels ? Math.round(pixels[i] * 255) : 0;
      image.data.set([value, value, value, 255], 4 * i);
    }
    preview.putImageData(image, 0, 0);
    const top = reading ? reading.digit : -1;
    bars.forEach((bar, digit) => {
      const p = probabilities ? probabilities[digit] : 0;
      bar.dataset.probability = p.toFixed(6);
      bar.classList.toggle("top", digit === top);
      bar.querySelector(".fill").style.width = `${(100 * p).toFixed(1)}%`;
      bar.querySelector(".value").textContent = probabilities ? `${(100 * p).toFixed(1)} %` : "";
    });
    const sure = reading && reading.verdict === "digit";
    prediction.textContent = !reading ? "" : sure ? String(top) : reading.message;
    prediction.dataset.verdict = reading ? reading.verdict : "";
    prediction.classList.toggle("unsure", Boolean(reading) && !sure);
    confidence.textContent = sure ? `(${(100 * probabilities[top]).toFixed(1)} %)` : "";
  }

  async function readPad() {
    if (numberMode) return readNumberPad();
    const imageData = padContext.getImageData(0, 0, pad.width, pad.height);
    let pixels;
    try {
      pixels = P.preprocess(imageData);
    } catch (err) {
      if (!err.reason) throw err;
      showReading(null, null);                       // blank or a speck: a prompt, never a guess
      if (model) setStatus(err.reason === "blank" ? "Draw a digit" : err.message);
      return;
    }
    if (!model) return;
    showReading(pixels, judge(await predictPixels(pixels, 1)));
    setStatus(`${readyStatus}: draw a digit`);
  }

  async function readNumberPad() {
    if (!model) return;
    const number = await readNumberPadStrokes();
    if (!numberMode) return;                         // switched back while it was read
    showNumber(number);
    if (number.refused === "blank") setStatus(prompt());
    else setStatus(number.refused ? number.message : `${readyStatus}: write a number`);
  }

  // Live reading while drawing: one prediction at a time, at most every LIVE_INTERVAL_MS.
  let reading = false, pending = false, lastRead = 0;

  async function requestRead(now = false) {
    if (reading) { pending = true; return; }
    if (!now && performance.now() - lastRead < LIVE_INTERVAL_MS) { pending = true; return; }
    reading = true;
    pending = false;
    lastRead = performance.now();
    try {
      await readPad();
    } catch (err) {
      setStatus(`Prediction failed: ${err.message || err}`, true);
    } finally {
      reading = false;
      if (pending) window.requestAnimationFrame(() => requestRead(!drawing));
    }
  }

  let drawing = false, last = null;

  function padPoint(event) {
    const rect = pad.getBoundingClientRect();
    return [(event.clientX - rect.left) * (pad.width / rect.width),
            (event.clientY - rect.top) * (pad.height / rect.height)];
  }

  pad.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    drawing = true;
    last = padPoint(event);
    strokes.push([last]);
    drawDot(padContext, last);
    requestRead();
  });

  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    event.preventDefault();
    const point = padPoint(event);
    drawLine(padContext, last, point);
    strokes[strokes.length - 1].push(point);
    last = point;
    requestRead();
  });

  function endStroke() {
    if (!drawing) return;
    drawing = false;
    requestRead(true);
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  document.getElementById("clear").addEventListener("click", () => {
    clearPad();
    if (model) setStatus(prompt());
  });
  document.getElementById("mode-digit").addEventListener("click", () => setMode(false));
  document.getElementById("mode-number").addEventListener("click", () => setMode(true));
  window.addEventListener("unhandledrejection", (event) => {
    setStatus(`Error: ${event.reason && event.reason.message || event.reason}`, true);
  });

  clearPad();
  const ready = loadModel().then(
    (backend) => {
      readyStatus = `Ready (TF.js ${tf.version.tfjs}, ${backend})`;
      setStatus(`${readyStatus}: ${prompt().toLowerCase()}`);
    },
    (err) => { setStatus(err.message, true); throw err; });
  ready.catch(() => {});   // the page shows the error; tests read it from `ready` too

  // ---------------------------------------------------------------- test API

  /** A number reading without its digits' model inputs, probabilities as plain arrays. */
  function plainNumber(number) {
    const digits = number.digits.map(({ pixels, ...digit }) => (
      { ...digit, probabilities: digit.probabilities && Array.from(digit.probabilities) }));
    return { ...number, digits };
  }

  window.handwriting = {
    ready,
    preprocess: (imageData, center = true) => P.preprocess(imageData, center),
    async predict(imageData) {
      await ready;
      return predictPixels(P.preprocess(imageData), 1);
    },
    async predictBatch(pixels, n) {
      await ready;
      return predictPixels(pixels, n);
    },
    /** What the app says for a drawing: {verdict, digit, message, probabilities (calibrated)},
     *  or {verdict: reason, message} when the drawing is refused (blank, too small, too full,
     *  too little ink). */
    async read(imageData) {
      await ready;
      let pixels;
      try {
        pixels = P.preprocess(imageData);
      } catch (err) {
        if (!err.reason) throw err;
        return { verdict: err.reason, digit: null, message: err.message, probabilities: null };
      }
      const reading = judge(await predictPixels(pixels, 1));
      return { ...reading, probabilities: Array.from(reading.probabilities) };
    },
    /** What the number mode says for a wide canvas (numbers.js's read): {text, digits (each as
     *  read() gives it), boxes, touching, refused, message}. */
    async readNumber(imageData) {
      await ready;
      return plainNumber(await readNumberPixels(imageData));
    },
    /** Number mode with `written` (lists of [x, y] on the 280 x 840 pad) drawn on a fresh pad,
     *  as a pen would: what the number mode reads and shows, and `ms`, the reading's time. */
    async readNumberStrokes(written) {
      await ready;
      if (!numberMode) setMode(true);
      clearPad();
      drawOnPad(written);
      padContext.getImageData(0, 0, 1, 1);   // drawn now, as a pen's strokes are shown as drawn
      const start = performance.now();
      const number = await readNumberPadStrokes();
      const ms = performance.now() - start;
      showNumber(number);
      return { ...plainNumber(number), ms };
    },
    /** The strokes the pad holds, as drawn (lists of [x, y] canvas points). */
    strokes: () => strokes.map((stroke) => stroke.map((point) => [...point])),
    calibration: () => ({ ...calibration }),
    backend: () => tf.getBackend(),
    numTensors: () => tf.memory().numTensors,
    clear: clearPad,
  };
})();
