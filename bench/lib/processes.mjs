/** Child processes of the benchmarks: servers (closed by the bench) and timed spawns. */
import { fork, spawn } from "node:child_process";
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
