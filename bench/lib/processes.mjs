/** Child processes of the benchmarks: servers (closed by the bench) and timed spawns. */
import { fork, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { msSince } from "./stats.mjs";

const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Forks a server script that reports `{type:"ready", url}` over IPC. */
export function forkServer(script, arg, execArgv = []) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [JSON.stringify(arg)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv,
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`${script} exited with ${code} before it was ready`));
    child.once("exit", onExit);
    child.once("error", reject);
    child.once("message", (message) => {
      child.off("exit", onExit);
      if (message?.type !== "ready")
        return reject(new Error(`${script}: unexpected ${JSON.stringify(message)}`));
      resolve({
        url: message.url,
        pid: child.pid,
        /** `{rss, heapUsed}` in bytes, after a GC. */
        memory: () =>
          new Promise((done) => {
            child.once("message", (m) => done(m));
            child.send("memory");
          }),
        /** `{user, system}` CPU microseconds the child has used so far (process.cpuUsage). */
        cpu: () =>
          new Promise((done) => {
            child.once("message", (m) => done(m));
            child.send("cpu");
          }),
        /** `count` copies of the stored action `fromId`, written in the child (emulator-child.mjs). */
        seed: (fromId, count) =>
          new Promise((done) => {
            child.once("message", (m) => done(m));
            child.send({ type: "seed", fromId, count });
          }),
        /** `count` new versions of every action, written in the child (emulator-child.mjs). */
        revise: (count) =>
          new Promise((done) => {
            child.once("message", (m) => done(m));
            child.send({ type: "revise", count });
          }),
        close: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            child.once("exit", () => {
              clearTimeout(timer);
              children.delete(child);
              done();
            });
            child.send("close");
          }),
      });
    });
  });
}

/** The built emulator in a child process (in memory, 127.0.0.1, port 0). */
export function startEmulatorProcess(options = {}) {
  return forkServer("./emulator-child.mjs", options, ["--expose-gc"]);
}

/** A bare node:http server answering with fixed bytes, in a child process. */
export function startBareServer(body, headers) {
  return forkServer("./bare-child.mjs", { body, headers });
}

/** Wall milliseconds of one process run to its exit; rejects on a non-zero exit. */
export function timeSpawn(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], ...options });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = msSince(start);
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** Whether `perf stat` can count a process's CPU time here (Debian's linux-perf). */
export function perfAvailable() {
  return spawnSync("perf", ["stat", "-e", "task-clock", "--", "true"], { stdio: "ignore" }).status === 0;
}

/**
 * Runs a command under `perf stat -e task-clock`; resolves its CPU time (all its threads) and its wall
 * time, both as perf counted them (from its start to its exit, perf's own start-up left out), in ms.
 * CPU time is what a start-up costs whatever else the machine does; wall time waits for the cores.
 */
export function cpuSpawn(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("perf", ["stat", "-e", "task-clock", "--", command, ...args], {
      stdio: ["ignore", "ignore", "pipe"],
      ...options,
      env: { ...(options.env ?? process.env), LC_ALL: "C" },
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const cpu = /([\d.,]+) msec task-clock/.exec(stderr);
      const wall = /([\d.,]+) seconds time elapsed/.exec(stderr);
      if (code !== 0 || cpu === null || wall === null) {
        reject(
          new Error(`perf stat -- ${command} ${args.join(" ")} exited with ${code}: ${stderr.slice(0, 500)}`),
        );
        return;
      }
      const number = (text) => Number(text.replaceAll(",", ""));
      resolve({ cpuMs: number(cpu[1]), wallMs: number(wall[1]) * 1000 });
    });
  });
}

/** Runs a script in a child process and returns its JSON result (last stdout line). */
export function runJsonChild(script, arg, execArgv = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...execArgv, fileURLToPath(new URL(script, import.meta.url)), JSON.stringify(arg)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.add(child);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      children.delete(child);
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      const last = out.trim().split("\n").pop();
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} printed no JSON result: ${out.slice(0, 300)}`));
      }
    });
  });
}
