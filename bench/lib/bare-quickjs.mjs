/**
 * B8's baseline: a bare QuickJS runtime per run, in N worker threads, with the sandbox's limits (the
 * same WebAssembly memory cap, memory limit, stack size and interrupt deadline), evaluating the script
 * and calling main(input) — no console, no output checks, no pool, no tenants. `run(source, input)`
 * resolves to main's result as JSON text; jobs go to the first idle worker, else wait in one queue.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const core = require(workerData.corePath);
const v = require(workerData.variantPath);
const PAGE = 65536;
let mod;
(async () => {
  const initial = workerData.wasmBaseBytes / PAGE;
  const memory = new WebAssembly.Memory({ initial, maximum: initial + Math.ceil(workerData.memoryBytes / PAGE) });
  mod = await core.newQuickJSWASMModuleFromVariant(core.newVariant(v.default || v, { wasmMemory: memory }));
  parentPort.postMessage({ ready: true });
})();
parentPort.on("message", (job) => {
  const deadline = Date.now() + workerData.timeoutMs;
  const rt = mod.newRuntime();
  rt.setMemoryLimit(workerData.memoryBytes);
  rt.setMaxStackSize(workerData.maxStackBytes);
  rt.setInterruptHandler(() => Date.now() >= deadline);
  const ctx = rt.newContext();
  let out = null;
  const r = ctx.evalCode(job.source + "\\n;JSON.stringify(main(" + job.input + "))", "action.js");
  if (r.error) { r.error.dispose(); } else { out = ctx.getString(r.value); r.value.dispose(); }
  ctx.dispose();
  rt.dispose();
  parentPort.postMessage({ id: job.id, out });
});
`;

export async function startBareQuickJs({ workers, memoryBytes, timeoutMs, maxStackBytes, wasmBaseBytes }) {
  const data = {
    corePath: require.resolve("quickjs-emscripten-core"),
    variantPath: require.resolve("@jitl/quickjs-wasmfile-release-sync"),
    memoryBytes,
    timeoutMs,
    maxStackBytes,
    wasmBaseBytes,
  };
  const idle = [];
  const waiting = [];
  const pending = new Map();
  let nextId = 1;
  const dispatch = (worker) => {
    const job = waiting.shift();
    if (job === undefined) return idle.push(worker);
    worker.postMessage(job.message);
  };
  const all = await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(SOURCE, { eval: true, workerData: data });
          worker.once("error", reject);
          worker.on("message", (m) => {
            if (m.ready) return resolve(worker);
            const done = pending.get(m.id);
            pending.delete(m.id);
            done(m.out);
            dispatch(worker);
          });
        }),
    ),
  );
  idle.push(...all);
  return {
    run(source, input) {
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        waiting.push({ message: { id, source, input: JSON.stringify(input) } });
        const worker = idle.shift();
        if (worker !== undefined) dispatch(worker);
      });
    },
    close: () => Promise.all(all.map((w) => w.terminate())),
  };
}
