/* Which TF.js backend the app runs on, chosen once at start-up (before the model loads).
 *
 * Automatic choice, fastest first: webgl on a real GPU, else wasm (SIMD when the browser has it),
 * else cpu. A machine without a GPU (headless Chromium, many VMs) still offers WebGL, rendered
 * in software by SwiftShader or llvmpipe, and that is several times slower than wasm for a
 * model this small. So webgl is only picked when the renderer's name (WEBGL_debug_renderer_info)
 * is not a known software renderer: a cheap check that needs no trial run at start-up.
 *
 * ?backend=webgl|wasm|cpu forces one (tests and benchmarks use it). A backend that cannot start
 * is skipped for the next one, and the reason goes to the status line via describe(). */
(function () {
  "use strict";

  const AUTOMATIC_ORDER = ["webgl", "wasm", "cpu"];
  const WASM_BINARIES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];
  const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|Software Rasterizer|Basic Render/i;

  /** Point the wasm backend at its binaries: the files beside index.html, or in the notebook
   *  preview (one inlined document that has no files) blob URLs of the inlined bytes. */
  function configureWasm() {
    // The multi-threaded binary needs cross-origin isolation (COOP/COEP headers), which neither a
    // plain static host nor the notebook's srcdoc preview has; the app ships the single-threaded
    // binaries only, so TF.js must never reach for the threaded one.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    const inlined = window.HANDWRITING_WASM;        // {binary name: base64}, set by the preview
    if (!inlined) {
      tf.wasm.setWasmPaths("./");
      return;
    }
    const urls = {};
    for (const name of WASM_BINARIES) {
      const bytes = Uint8Array.from(atob(inlined[name]), (c) => c.charCodeAt(0));
      urls[name] = URL.createObjectURL(new Blob([bytes], { type: "application/wasm" }));
    }
    // setWasmPaths() insists on an entry for the threaded binary too; it is never loaded (above).
    urls["tfjs-backend-wasm-threaded-simd.wasm"] = urls["tfjs-backend-wasm-simd.wasm"];
    tf.wasm.setWasmPaths(urls);
  }

  /** The WebGL renderer's name, or null when this browser offers no WebGL. */
  function webglRenderer() {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
    if (!gl) return null;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    const lose = gl.getExtension("WEBGL_lose_context");
    if (lose) lose.loseContext();                   // TF.js makes its own context
    return name;
  }

  /** Why the automatic choice passes over `name` here, or "" when it may use it. */
  function reasonToSkip(name) {
    if (name !== "webgl") return "";
    const renderer = webglRenderer();
    if (renderer === null) return "no WebGL in this browser";
    const software = SOFTWARE_RENDERER.exec(renderer);
    return software ? `software-rendered (${software[0]}), slower than wasm` : "";
  }

  /** Start backend `name`, or throw an Error saying why it cannot start. */
  async function start(name) {
    if (!tf.findBackendFactory(name)) throw new Error("not included in this app");
    if (name === "wasm") await checkWebAssemblyAllowed();
    // setBackend() resolves to false when the backend fails to start; TF.js logs the details.
    if (!(await tf.setBackend(name))) throw new Error("failed to start (details in the console)");
  }

  /** Throw if this page may not compile WebAssembly (no support, or a CSP without
   *  'wasm-unsafe-eval'): the wasm backend would fail later with a less helpful message. */
  async function checkWebAssemblyAllowed() {
    if (typeof WebAssembly !== "object") throw new Error("this browser has no WebAssembly");
    try {
      await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));  // empty module
    } catch (err) {
      throw new Error(`WebAssembly is blocked on this page (${err.message})`);
    }
  }

  /** Start the backend asked for with ?backend=, else the fastest one here.
   *  Resolves to {name, forced, notes}: `notes` says what was skipped or failed, and why. */
  async function chooseBackend() {
    configureWasm();
    const forced = new URLSearchParams(window.location.search).get("backend");
    const notes = [];
    if (forced) {
      try {
        await start(forced);
        return { name: forced, forced: true, notes };
      } catch (err) {
        notes.push(`${forced} (asked for with ?backend=): ${err.message}`);
      }
    }
    for (const name of AUTOMATIC_ORDER.filter((candidate) => candidate !== forced)) {
      const skip = reasonToSkip(name);
      if (skip) {
        notes.push(`${name} skipped: ${skip}`);
        continue;
      }
      try {
        await start(name);
        return { name, forced: false, notes };
      } catch (err) {
        notes.push(`${name}: ${err.message}`);
      }
    }
    throw new Error(`No TF.js backend could start: ${notes.join("; ")}.`);
  }

  /** The choice in words for the status line, e.g.
   *  "wasm backend with SIMD, chosen automatically; webgl skipped: software-rendered ...". */
  async function describe(choice) {
    let text = `${choice.name} backend`;
    if (choice.name === "wasm") {
      text += (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? " with SIMD" : " without SIMD";
    }
    text += choice.forced ? ", as asked for with ?backend=" : ", chosen automatically";
    return [text, ...choice.notes].join("; ");
  }

  window.HandwritingBackend = { chooseBackend, describe, AUTOMATIC_ORDER };
})();
