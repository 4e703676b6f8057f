import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  type Sandbox,
  type SandboxRunInput,
  SandboxUnavailableError,
} from "../../../src/emulator/sandbox/index.js";

const noContext = { input: null, variables: {}, environment: null };

function run(sandbox: Sandbox, source: string, extra: Partial<SandboxRunInput> = {}) {
  return sandbox.run({ source, context: noContext, ...extra });
}

describe("createSandbox", () => {
  it("close() stops its workers: later runs are refused", async () => {
    const own = createSandbox({ workers: 1 });
    expect((await run(own, "function main() { return 1; }")).output).toBe(1);
    await own.close();
    await expect(run(own, "function main() {}")).rejects.toBeInstanceOf(SandboxUnavailableError);
  });

  it("refuses bad pool options", () => {
    expect(() => createSandbox({ workers: 0 })).toThrow(RangeError);
    expect(() => createSandbox({ maxQueue: -1 })).toThrow(/maxQueue/);
    expect(() => createSandbox({ workers: 2, tenantConcurrency: 3 })).toThrow(
      "sandbox tenantConcurrency must be an integer from 1 to workers (2), got 3",
    );
    expect(() => createSandbox({ tenantConcurrency: 0 })).toThrow(/tenantConcurrency/);
  });

  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createSandbox({ workers: 2 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("returns main's result and the console lines", async () => {
    const result = await run(
      sandbox,
      `function main(context) {
        console.log("hello", 42, {a: [1, 2]});
        console.warn("careful");
        console.error(new Error("bad"));
        return {sum: 1 + 2, words: ["a", "b"]};
      }`,
    );
    expect(result.status).toBe("SUCCESS");
    expect(result.output).toEqual({ sum: 3, words: ["a", "b"] });
    expect(result.logs).toEqual(['hello 42 {"a":[1,2]}', "[warn] careful", "[error] Error: bad"]);
    expect(result.error).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("passes input, variables and environment to main as plain data", async () => {
    const result = await sandbox.run({
      source: `const main = (context) => ({
        doubled: context.input.n * 2,
        region: context.variables.region,
        env: context.environment.name,
        keys: Object.keys(context).sort(),
      });`,
      context: { input: { n: 21 }, variables: { region: "eu" }, environment: { name: "dev" } },
    });
    expect(result).toMatchObject({
      status: "SUCCESS",
      output: { doubled: 42, region: "eu", env: "dev", keys: ["environment", "input", "variables"] },
    });
  });

  it("awaits an async main and a promise chain", async () => {
    const result = await run(
      sandbox,
      `async function main() {
        const a = await Promise.resolve(20);
        const b = await new Promise((resolve) => resolve(22));
        console.log("awaited");
        return a + b;
      }`,
    );
    expect(result).toMatchObject({ status: "SUCCESS", output: 42, logs: ["awaited"] });
  });

  it("reports a rejected async main as FAILURE", async () => {
    const result = await run(sandbox, `async function main() { await null; throw new TypeError("nope"); }`);
    expect(result.status).toBe("FAILURE");
    expect(result.error).toMatch(/^TypeError: nope \(line 1, column \d+\)$/);
  });

  it("reports a promise that can never settle", async () => {
    const result = await run(sandbox, "function main() { return new Promise(() => {}); }");
    expect(result.status).toBe("FAILURE");
    expect(result.error).toContain("never settles");
  });

  it("reports a thrown error with its name, message and line", async () => {
    const result = await run(sandbox, `function main() {\n  const x = 1;\n  throw new Error("boom");\n}`);
    expect(result).toMatchObject({ status: "FAILURE", output: null });
    expect(result.error).toMatch(/^Error: boom \(line 3, column \d+\)$/);
  });

  it("reports a thrown non-error value", async () => {
    const result = await run(sandbox, `function main() { throw "plain text"; }`);
    expect(result).toMatchObject({ status: "FAILURE", error: "Uncaught plain text" });
  });

  it("reports a syntax error with its line", async () => {
    const result = await run(sandbox, "function main(context) {\n  return context.input +;\n}");
    expect(result.status).toBe("FAILURE");
    expect(result.error).toMatch(/^SyntaxError: .+ \(line 2, column \d+\)$/);
  });

  it("refuses a script without main", async () => {
    const result = await run(sandbox, "function notMain() { return 1; }");
    expect(result.status).toBe("FAILURE");
    expect(result.error).toContain("declares no function main");
  });

  it("gives the script no host objects", async () => {
    const result = await run(
      sandbox,
      `function main() {
        return [typeof process, typeof require, typeof fetch, typeof setTimeout, typeof setInterval,
                typeof module, typeof Buffer, typeof XMLHttpRequest, typeof WebAssembly, typeof globalThis.emit];
      }`,
    );
    expect(result.status).toBe("SUCCESS");
    expect(result.output).toEqual(Array(10).fill("undefined"));
  });

  it("does not keep state between runs", async () => {
    await run(
      sandbox,
      "globalThis.leak = 'secret'; Object.prototype.polluted = 1; function main() { return 1; }",
    );
    const results = await Promise.all(
      [1, 2, 3].map(() => run(sandbox, "function main() { return [typeof leak, typeof ({}).polluted]; }")),
    );
    for (const result of results) expect(result.output).toEqual(["undefined", "undefined"]);
  });

  // The console is built on the script's first use of it (a fast path: most scripts never log).
  describe("the console, built on first use", () => {
    it("logs with the original JSON.stringify even after the script replaced it", async () => {
      const result = await run(
        sandbox,
        `JSON.stringify = () => "replaced";
        function main() { console.log({a: 1}); console.info([2]); return JSON.stringify(3); }`,
      );
      expect(result).toMatchObject({ status: "SUCCESS", output: "replaced", logs: ['{"a":1}', "[2]"] });
    });

    it("is a plain writable, enumerable, configurable data property once used", async () => {
      const result = await run(
        sandbox,
        `function main() {
          const first = console;
          const d = Object.getOwnPropertyDescriptor(globalThis, "console");
          return [first === console, "value" in d, d.writable, d.enumerable, d.configurable,
                  typeof d.value.log, Object.keys(console).join(",")];
        }`,
      );
      expect(result.output).toEqual([true, true, true, true, true, "function", "log,info,debug,warn,error"]);
    });

    it("can be replaced or deleted before it is ever read", async () => {
      const replaced = await run(
        sandbox,
        `console = {log() {}, mine: true};
        function main() { console.log("dropped"); return [console.mine, Object.getOwnPropertyDescriptor(globalThis, "console").writable]; }`,
      );
      expect(replaced).toMatchObject({ status: "SUCCESS", output: [true, true], logs: [] });
      const deleted = await run(
        sandbox,
        `delete globalThis.console; function main() { return typeof console; }`,
      );
      expect(deleted).toMatchObject({ status: "SUCCESS", output: "undefined", logs: [] });
      const declared = await run(sandbox, `var console = 5; function main() { return console; }`);
      expect(declared).toMatchObject({ status: "SUCCESS", output: 5, logs: [] });
    });

    it("is built from the original Object.defineProperty and works from top-level code and promise jobs", async () => {
      const result = await run(
        sandbox,
        `Object.defineProperty = () => { throw new Error("replaced"); };
        Object.prototype.get = function () {};
        console.log("top");
        async function main() { await null; console.warn("job"); return 1; }`,
      );
      expect(result).toMatchObject({ status: "SUCCESS", output: 1, logs: ["top", "[warn] job"] });
    });

    it("keeps no console, log line or global of one run in the next, on the same worker", async () => {
      const one = createSandbox({ workers: 1 });
      try {
        const first = await run(
          one,
          `console.tag = "first"; console.log("one"); globalThis.leak = 1;
          function main() { return console.tag; }`,
        );
        expect(first).toMatchObject({ status: "SUCCESS", output: "first", logs: ["one"] });
        const [second, third] = await Promise.all([
          run(one, `function main() { return [typeof console.tag, typeof leak]; }`, { tenant: "a" }),
          run(one, `function main() { console.log("three"); return typeof console.tag; }`, { tenant: "b" }),
        ]);
        expect(second).toMatchObject({ output: ["undefined", "undefined"], logs: [] });
        expect(third).toMatchObject({ output: "undefined", logs: ["three"] });
      } finally {
        await one.close();
      }
    });
  });

  it.each([
    ["a function", "function main() { return function f() {}; }", "the result is a function"],
    [
      "a nested function",
      "function main() { return {ok: 1, fn: () => 1}; }",
      'the property "fn" of the result is a function',
    ],
    ["a symbol", "function main() { return [Symbol('s')]; }", 'the property "0" of the result is a symbol'],
    ["a bigint", "function main() { return {n: 10n}; }", 'the property "n" of the result is a bigint'],
    ["a cycle", "function main() { const o = {}; o.self = o; return o; }", "circular"],
  ])("refuses an output that holds %s", async (_what, source, reason) => {
    const result = await run(sandbox, source);
    expect(result.status).toBe("FAILURE");
    expect(result.output).toBeNull();
    expect(result.error).toContain("the output is not JSON-serialisable");
    expect(result.error).toContain(reason);
  });

  it("maps an undefined result to null", async () => {
    const result = await run(sandbox, "function main() {}");
    expect(result).toMatchObject({ status: "SUCCESS", output: null });
  });

  it("refuses an output over 1 MiB", async () => {
    const result = await run(sandbox, "function main() { return 'x'.repeat(1024 * 1024 + 1); }");
    expect(result.status).toBe("FAILURE");
    expect(result.error).toContain("over the 1 MiB limit");
  });

  it("times out an endless loop at the deadline", async () => {
    const result = await run(sandbox, "function main() { while (true) {} }", { timeoutMs: 200 });
    expect(result).toMatchObject({ status: "TIMEOUT", output: null });
    expect(result.error).toContain("200 ms");
  });

  it("times out an endless loop in top-level code and in promise jobs", async () => {
    const topLevel = await run(sandbox, "while (true) {}\nfunction main() {}", { timeoutMs: 100 });
    const jobs = await run(sandbox, "async function main() { for (;;) { await null; } }", { timeoutMs: 100 });
    expect(topLevel.status).toBe("TIMEOUT");
    expect(jobs.status).toBe("TIMEOUT");
  });

  it("keeps serving other runs while one loops forever", async () => {
    const runaway = run(sandbox, "function main() { while (true) {} }", { timeoutMs: 2000 });
    const quick = await run(sandbox, "function main(c) { return 'still here'; }");
    // The quick run finished while the runaway still holds the other worker.
    const settled = await Promise.race([
      runaway.then(() => "runaway settled"),
      Promise.resolve("runaway pending"),
    ]);
    expect(quick).toMatchObject({ status: "SUCCESS", output: "still here" });
    expect(settled).toBe("runaway pending");
    expect((await runaway).status).toBe("TIMEOUT");
  });

  it("stops a loop of long native calls with the host backstop, then serves the next run", async () => {
    // Each iteration is one long native call, so QuickJS's interrupt check comes too rarely.
    const result = await run(sandbox, "function main() { for (;;) new Array(1e5).fill(1); }", {
      timeoutMs: 100,
    });
    expect(result).toMatchObject({ status: "TIMEOUT", output: null, logs: [] });
    expect(result.error).toContain("100 ms deadline");
    expect((await run(sandbox, "function main() { return 'next'; }")).output).toBe("next");
  });

  it("stops a script that allocates without limit with an out-of-memory FAILURE", async () => {
    const result = await run(
      sandbox,
      "const a = []; while (true) a.push(new Array(1e5).fill(1)); function main() {}",
    );
    expect(result.status).toBe("FAILURE");
    expect(result.error).toMatch(/^out of memory: the script exceeded the 32 MiB memory limit/);
    const next = await run(sandbox, "function main() { return new Array(1e5).fill(1).length; }");
    expect(next).toMatchObject({ status: "SUCCESS", output: 1e5 });
  });

  it.each([
    ["many small objects", "function main() { const a = []; for (;;) a.push({x: a.length, y: [1, 2]}); }"],
    ["typed arrays", "function main() { const a = []; for (;;) a.push(new Uint8Array(1e6)); }"],
    ["strings", "function main() { const a = []; for (let i = 0; ; i++) a.push('x'.repeat(1e5) + i); }"],
  ])("honours a smaller memory limit for %s", async (_what, source) => {
    const result = await run(sandbox, source, { memoryBytes: 4 * 1024 * 1024, timeoutMs: 5000 });
    expect(result.status).toBe("FAILURE");
    expect(result.error).toContain("out of memory: the script exceeded the 4 MiB memory limit");
  });

  // Each worker makes the runtime of its next run while it waits for it (a fast path): one per run.
  describe("the runtime made ahead of each run", () => {
    let one: Sandbox;
    beforeAll(() => {
      one = createSandbox({ workers: 1 });
    });
    afterAll(async () => {
      await one.close();
    });

    it("starts a run's deadline when the run starts, not when its runtime was made", async () => {
      expect(await run(one, "function main() { return 1; }")).toMatchObject({ status: "SUCCESS" });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = await run(one, "function main() { return 2; }", { timeoutMs: 100 });
      expect(result).toMatchObject({ status: "SUCCESS", output: 2 });
    });

    it("applies each run's own memory limit, whatever the run before had", async () => {
      const allocate = "function main() { return new Uint8Array(6 * 1024 * 1024).length; }";
      const limits = [32, 4, 32, 4, 4, 32].map((mb) => mb * 1024 * 1024);
      const results = [];
      for (const memoryBytes of limits) results.push(await run(one, allocate, { memoryBytes }));
      expect(results.map((r) => r.status)).toEqual([
        "SUCCESS",
        "FAILURE",
        "SUCCESS",
        "FAILURE",
        "FAILURE",
        "SUCCESS",
      ]);
      expect(results[1]?.error).toContain("the 4 MiB memory limit");
    });

    it("gives every run its own globals, console and log lines, across tenants", async () => {
      const results = [];
      for (const tenant of ["a", "b", "a", "b"]) {
        results.push(
          await run(
            one,
            `const seen = [typeof globalThis.mark, typeof console.mark];
            globalThis.mark = 1; console.mark = 1; console.log("${tenant}");
            function main() { return seen; }`,
            { tenant },
          ),
        );
      }
      for (const [i, result] of results.entries()) {
        expect(result).toMatchObject({
          status: "SUCCESS",
          output: ["undefined", "undefined"],
          logs: [i % 2 === 0 ? "a" : "b"],
        });
      }
    });

    it("serves the next run after a run that timed out, ran out of memory or failed", async () => {
      const ok = "function main() { return 'ok'; }";
      for (const [source, status] of [
        ["function main() { for (;;) {} }", "TIMEOUT"],
        ["function main() { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }", "FAILURE"],
        ["function main() { throw new Error('x'); }", "FAILURE"],
      ] as const) {
        expect(await run(one, source, { timeoutMs: 200 })).toMatchObject({ status });
        expect(await run(one, ok)).toMatchObject({ status: "SUCCESS", output: "ok", logs: [] });
      }
    });
  });

  it("turns deep recursion into a stack-overflow FAILURE", async () => {
    const result = await run(
      sandbox,
      "function f(n) { return f(n + 1) + 1; }\nfunction main() { return f(0); }",
    );
    expect(result.status).toBe("FAILURE");
    expect(result.error).toMatch(/^stack overflow: .*maximum call stack size exceeded/);
  });

  it("passes deeply nested context input intact", async () => {
    let input: unknown = 0;
    for (let i = 0; i < 2000; i++) input = [input];
    const result = await sandbox.run({
      source:
        "function main(c) { let d = 0; for (let v = c.input; Array.isArray(v); v = v[0]) d++; return d; }",
      context: { ...noContext, input },
    });
    expect(result).toMatchObject({ status: "SUCCESS", output: 2000 });
  });

  it.each([
    ["a bigint", { big: 1n }, "BigInt"],
    [
      "a cycle",
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
      "circular",
    ],
  ])("refuses a context holding %s before any worker sees it", async (_what, input, reason) => {
    const result = await sandbox.run({ source: "function main() {}", context: { ...noContext, input } });
    expect(result.status).toBe("FAILURE");
    expect(result.error).toContain("the context (input, variables, environment) is not JSON-serialisable");
    expect(result.error).toContain(reason);
  });

  it("caps each log line and the number of lines", async () => {
    const result = await run(
      sandbox,
      "function main() { console.log('y'.repeat(10000)); for (let i = 0; i < 1500; i++) console.log(i); }",
    );
    expect(result.status).toBe("SUCCESS");
    expect(result.logs).toHaveLength(1001);
    expect(result.logs[0]).toMatch(/^y{4096}… \[5904 more characters cut\]$/);
    expect(result.logs[999]).toBe("998");
    expect(result.logs[1000]).toBe("… 501 more log lines dropped (a run keeps its first 1000)");
  });

  it("rejects caller bugs with RangeError", async () => {
    await expect(run(sandbox, "function main() {}", { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(run(sandbox, "function main() {}", { memoryBytes: 10 })).rejects.toThrow(/memoryBytes/);
    await expect(sandbox.run({ source: 42 as unknown as string, context: noContext })).rejects.toThrow(
      /source/,
    );
  });
});
