/* Load before tf.min.js. The regenerator-runtime bundled in tf.min.js assigns the global
 * `regeneratorRuntime`; in strict mode that throws unless the global already exists, and its
 * fallback calls Function(), which this app's Content-Security-Policy (no 'unsafe-eval')
 * forbids, so TF.js would not load. Declaring the global first keeps the page eval-free. */
window.regeneratorRuntime = window.regeneratorRuntime || undefined;
