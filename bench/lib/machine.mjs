/** The machine a run happened on, for the table header, results.json and the README. */
import { readFileSync } from "node:fs";
import os from "node:os";

export function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) cpu = line.split(":")[1].trim();
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
