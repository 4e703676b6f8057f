/**
 * The code of a sandbox worker thread, as plain JavaScript run with `new Worker(WORKER_SOURCE, {eval: true})`.
 * Being a string, it runs the same from the TypeScript sources under vitest and from the compiled `dist/`
 * (no `.ts` worker file to load, no loader hook). It loads the QuickJS packages by the absolute paths the
 * host resolved (`WorkerSetup`), speaks the `WorkerJob`/`WorkerReply` protocol of types.ts, and runs one
 * job at a time. The guest gets a fresh QuickJS runtime per job: no `process`, `require`, `fetch`, timers,
 * files or network exist in it; `console` is a guest object whose only bridge is a log-line sink.
 */
export const WORKER_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const core = require(workerData.corePath);
const variantExports = require(workerData.variantPath);
const baseVariant = variantExports.default || variantExports;
const L = workerData.limits;

// A bulk worker runs a long-run tenant's job at a lower priority (job.nice; Linux: the nice value is
// per thread, and /proc names the thread) and anything else at 0. Raising a nice value needs no
// privilege; lowering it again may be refused, and then the thread stays at the higher value (as a
// bulk worker always did). Best effort: elsewhere, or when refused, the worker runs as it can.
let niceNow = 0;
let threadId;
function setNice(wanted) {
  if (wanted === niceNow || !(wanted >= 0)) return;
  try {
    threadId ??= Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
    require("node:os").setPriority(threadId, wanted);
    niceNow = wanted;
  } catch {}
}
const PAGE = 65536;
const FILE = "action.js";
const MIB = 1024 * 1024;

// Guest-side helpers. The serialiser is evaluated before the user's script so that it holds the original
// JSON.stringify; the console is built on its first use (most scripts never log, and compiling it cost
// about a fifth of a trivial run, bench B8) from the original JSON.stringify and Object.defineProperty,
// which the host took before the user's script ran, and replaces the lazy global with itself.
const CONSOLE_FACTORY = "(function (emit, stringify, defineProperty, global) {\n" +
  "  function fmt(v) {\n" +
  "    if (typeof v === 'string') return v;\n" +
  "    if (v === undefined) return 'undefined';\n" +
  "    if (typeof v === 'function') return '[Function' + (v.name ? ': ' + v.name : '') + ']';\n" +
  "    if (typeof v === 'symbol' || typeof v === 'bigint') return String(v);\n" +
  "    if (v instanceof Error) return String(v);\n" +
  "    try { const s = stringify(v); return s === undefined ? String(v) : s; }\n" +
  "    catch (e) { return '[unserialisable: ' + (e && e.message) + ']'; }\n" +
  "  }\n" +
  "  function make(level) { return function () { const parts = []; for (let i = 0; i < arguments.length; i++) parts.push(fmt(arguments[i])); emit(level, parts.join(' ')); }; }\n" +
  "  const console = { log: make('log'), info: make('info'), debug: make('debug'), warn: make('warn'), error: make('error') };\n" +
  "  defineProperty(global, 'console', { __proto__: null, value: console, writable: true, enumerable: true, configurable: true });\n" +
  "  return console;\n" +
  "})";
const SERIALISER = "(function () {\n" +
  "  const stringify = JSON.stringify;\n" +
  "  return function serialise(value) {\n" +
  "    return stringify(value === undefined ? null : value, function (key, v) {\n" +
  "      const t = typeof v;\n" +
  "      if (t === 'function' || t === 'symbol' || t === 'bigint') {\n" +
  "        throw new TypeError((key === '' ? 'the result' : 'the property ' + stringify(key) + ' of the result') + ' is a ' + t);\n" +
  "      }\n" +
  "      return v;\n" +
  "    });\n" +
  "  };\n" +
  "})()";
const FIND_MAIN = "typeof main === 'function' ? main : undefined";

let loaded = null;

async function load(memoryBytes) {
  const initial = L.wasmBaseBytes / PAGE;
  const maximum = initial + Math.ceil(memoryBytes / PAGE);
  const memory = new WebAssembly.Memory({ initial, maximum });
  const state = { module: null, memory, memoryBytes, broken: false, growFailed: false };
  // Emscripten grows the heap through this object: a refused grow is how a run meets the memory cap.
  const grow = memory.grow.bind(memory);
  memory.grow = (pages) => {
    try {
      return grow(pages);
    } catch (error) {
      state.growFailed = true;
      throw error;
    }
  };
  state.module = await core.newQuickJSWASMModuleFromVariant(core.newVariant(baseVariant, { wasmMemory: memory }));
  loaded = state;
  return loaded;
}

function cut(text, max) {
  return text.length > max ? text.slice(0, max) + "… [" + (text.length - max) + " more characters cut]" : text;
}

function mib(bytes) {
  const n = bytes / MIB;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function createLogSink() {
  const lines = [];
  let dropped = 0;
  return {
    add(level, text) {
      if (lines.length >= L.logMaxLines) { dropped++; return; }
      const prefix = level === "warn" ? "[warn] " : level === "error" ? "[error] " : "";
      lines.push(cut(prefix + text, L.logLineMaxChars));
    },
    done() {
      if (dropped > 0) lines.push("… " + dropped + " more log lines dropped (a run keeps its first " + L.logMaxLines + ")");
      return lines;
    },
  };
}

function locate(stack) {
  const match = typeof stack === "string" ? /action\.js:(\d+):(\d+)/.exec(stack) : null;
  return match ? " (line " + match[1] + ", column " + match[2] + ")" : "";
}

function describeThrown(value) {
  if (value && typeof value === "object" && typeof value.message === "string") {
    const name = typeof value.name === "string" && value.name ? value.name : "Error";
    return cut(name + ": " + value.message, L.errorMaxChars) + locate(value.stack);
  }
  let text;
  try { text = typeof value === "string" ? value : JSON.stringify(value); } catch { text = String(value); }
  return "Uncaught " + cut(String(text), L.errorMaxChars);
}

/**
 * A fresh runtime and context with the host's hooks in place (the original JSON functions, the lazy
 * console, the output check), made while the worker waits for its next job so that the job starts with
 * its own script; the run is freed after its answer is posted. This halves a lone run's latency (a small
 * script run one at a time: median 0.68 → 0.30 ms) and costs no CPU. It holds no job's data, and serves
 * exactly one job.
 */
function prepareRun(state) {
  const rt = state.module.newRuntime();
  const run = { state, rt, ctx: undefined, owned: [], logs: createLogSink(), deadline: Infinity, interrupted: false };
  rt.setMaxStackSize(L.maxStackBytes);
  rt.setInterruptHandler(() => {
    if (Date.now() >= run.deadline) run.interrupted = true;
    return run.interrupted;
  });
  const ctx = (run.ctx = rt.newContext());
  const own = (handle) => { run.owned.push(handle); return handle; };
  run.own = own;
  run.evalOwned = (code, filename) => {
    const r = ctx.evalCode(code, filename, { type: "global" });
    if (r.error) return { error: r.error };
    return { value: own(r.value) };
  };
  // The original JSON and Object.defineProperty, taken before the user's script can replace them.
  const json = own(ctx.getProp(ctx.global, "JSON"));
  run.parse = own(ctx.getProp(json, "parse"));
  const stringify = own(ctx.getProp(json, "stringify"));
  const defineProperty = own(ctx.getProp(own(ctx.getProp(ctx.global, "Object")), "defineProperty"));
  // The global console is an accessor until the script first reads or writes it; the factory then
  // makes it the plain data property it would have been had it been set before the script.
  let builtConsole;
  const buildConsole = () => {
    if (builtConsole === undefined) {
      const emit = own(ctx.newFunction("emit", (levelHandle, textHandle) => {
        run.logs.add(ctx.getString(levelHandle), ctx.getString(textHandle));
      }));
      const factory = run.evalOwned(CONSOLE_FACTORY, "<cxda-console>");
      if (factory.error) return factory;
      const made = ctx.callFunction(factory.value, ctx.undefined, emit, stringify, defineProperty, ctx.global);
      if (made.error) return made;
      builtConsole = own(made.value);
    }
    return builtConsole.dup();
  };
  ctx.defineProp(ctx.global, "console", {
    configurable: true,
    enumerable: true,
    get: buildConsole,
    set: (value) => {
      const built = buildConsole();
      if (built.error) return built;
      built.dispose();
      ctx.setProp(ctx.global, "console", value);
    },
  });
  run.serialiser = run.evalOwned(SERIALISER, "<cxda-output>");
  return run;
}

/** Frees a run's handles, context and runtime; a failure marks the module broken (the next job reloads it). */
function disposeRun(run) {
  try {
    for (const handle of run.owned.reverse()) {
      if (handle.alive) handle.dispose();
    }
    run.ctx?.dispose();
    run.rt.dispose();
  } catch {
    run.state.broken = true;
  }
}

function runJob(state, job, run) {
  const { rt, ctx, own, evalOwned, logs } = run;
  run.deadline = Date.now() + job.timeoutMs;
  rt.setMemoryLimit(job.memoryBytes);
  const result = (status, output, error) => {
    const r = { status, output, logs: logs.done(), durationMs: 0 };
    if (error !== undefined) r.error = error;
    return r;
  };
  const timeout = () => result("TIMEOUT", null, "the script ran past its " + job.timeoutMs + " ms CPU deadline; make it finish sooner (no endless loops)");
  const outOfMemory = () => result("FAILURE", null, "out of memory: the script exceeded the " + mib(job.memoryBytes) + " MiB memory limit; allocate less");
  // An exception handle → the FAILURE/TIMEOUT result that explains it. Nothing runs in the guest afterwards.
  const fail = (errorHandle, what, explain) => {
    let value;
    try { value = ctx.dump(errorHandle); } catch { value = null; }
    if (errorHandle.alive) errorHandle.dispose();
    if (run.interrupted) return timeout();
    const message = value && typeof value === "object" ? value.message : undefined;
    // QuickJS throws null when it cannot even allocate the InternalError.
    if (message === "out of memory" || (value === null && state.growFailed)) return outOfMemory();
    if (message === "stack overflow" && value.name === "InternalError") {
      return result("FAILURE", null, "stack overflow: " + what + " recursed or nested too deeply (maximum call stack size exceeded)" + locate(value.stack));
    }
    const text = describeThrown(value);
    return result("FAILURE", null, explain ? explain(text) : text);
  };
  const setupFailed = (what) => (text) => what + " failed: " + text;
  try {
    const serialiser = run.serialiser;
    if (serialiser.error) return fail(serialiser.error, "setting up the output check", setupFailed("setting up the output check"));
    const contextResult = ctx.callFunction(run.parse, ctx.undefined, own(ctx.newString(job.contextJson)));
    if (contextResult.error) return fail(contextResult.error, "the context (input, variables, environment)", setupFailed("passing the context (input, variables, environment)"));
    const context = own(contextResult.value);

    const script = evalOwned(job.source, FILE);
    if (script.error) return fail(script.error, "the script");
    const main = evalOwned(FIND_MAIN, "<cxda-main>");
    if (main.error) return fail(main.error, "the script");
    if (ctx.typeof(main.value) !== "function") {
      return result("FAILURE", null, "the script declares no function main: add 'function main(context) { … }' at the top level");
    }
    const called = ctx.callFunction(main.value, ctx.undefined, context);
    if (called.error) return fail(called.error, "main(context)");
    let value = own(called.value);
    let promise = ctx.getPromiseState(value);
    while (promise.type === "pending") {
      if (Date.now() >= run.deadline) { run.interrupted = true; return timeout(); }
      const jobs = rt.executePendingJobs(-1);
      if (jobs.error) return fail(jobs.error, "main(context)");
      const ran = jobs.value;
      promise = ctx.getPromiseState(value);
      if (promise.type === "pending" && ran === 0) {
        return result("FAILURE", null, "main(context) returned a promise that never settles: the sandbox has no timers or I/O to wait for; resolve it from the script itself");
      }
    }
    if (promise.type === "rejected") return fail(promise.error, "main(context)");
    if (!promise.notAPromise) value = own(promise.value);

    const serialised = ctx.callFunction(serialiser.value, ctx.undefined, value);
    if (serialised.error) {
      return fail(serialised.error, "the output", (text) => "the output is not JSON-serialisable: " + text + "; return plain data (objects, arrays, strings, numbers, booleans, null)");
    }
    const text = ctx.getString(own(serialised.value));
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > L.outputMaxBytes) {
      return result("FAILURE", null, "the output is " + bytes + " bytes of JSON, over the " + mib(L.outputMaxBytes) + " MiB limit; return less data");
    }
    return result("SUCCESS", JSON.parse(text));
  } catch (error) {
    // A host-side failure of the QuickJS bindings (e.g. no memory left to copy a string in): answer, then start afresh.
    state.broken = true;
    if (run.interrupted) return timeout();
    if (state.growFailed) return outOfMemory();
    return result("FAILURE", null, "the sandbox could not run the script: " + cut(String((error && error.message) || error), L.errorMaxChars));
  }
}

let chain = Promise.resolve();
/** The run prepared for the next job, or undefined. */
let next;

function fatal(error) {
  parentPort.postMessage({ type: "fatal", message: String((error && error.stack) || error) });
  process.exit(1);
}

/** Prepares the next job's run while the worker waits; a failure here is met again, and answered, by that job. */
function prepareNext() {
  try {
    next = prepareRun(loaded);
  } catch {
    next = undefined;
    loaded.broken = true;
  }
}

parentPort.on("message", (job) => {
  chain = chain.then(async () => {
    if (!loaded || loaded.broken || loaded.memoryBytes !== job.memoryBytes) await load(job.memoryBytes);
    setNice(job.nice ?? 0);
    const started = performance.now();
    // A run prepared on a module since replaced is dropped with that module.
    let run = next !== undefined && next.state === loaded ? next : undefined;
    next = undefined;
    let result;
    try {
      run ??= prepareRun(loaded);
    } catch (error) {
      loaded.broken = true;
      result = { status: "FAILURE", output: null, logs: [], durationMs: 0, error: "the sandbox could not run the script: " + cut(String((error && error.message) || error), L.errorMaxChars) };
    }
    if (run !== undefined) result = runJob(loaded, job, run);
    result.durationMs = Math.round(performance.now() - started);
    parentPort.postMessage({ type: "result", id: job.id, result });
    // Freed after the answer, and the next run made, while the host hands out the next job.
    if (run !== undefined) disposeRun(run);
    // A heap that reached its maximum may stay fragmented or full: the next run gets a fresh one.
    if (loaded.broken || loaded.growFailed) await load(job.memoryBytes);
    prepareNext();
  }).catch(fatal);
});

load(workerData.memoryBytes).then(() => {
  parentPort.postMessage({ type: "ready" });
  chain = chain.then(prepareNext);
}, fatal);
`;
