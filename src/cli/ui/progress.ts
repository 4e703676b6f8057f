/**
 * Progress of `cxda apply`: on a TTY one bar redrawn in place on stderr (failures printed above it),
 * replaced at the end by the list of what was done; otherwise a plain line per finished operation, so
 * CI logs and scripts can follow along.
 */

import { type ApplyStep, type ApplyStepResult, describeStep } from "../../project/apply.js";
import type { Colors } from "../output.js";

export interface ProgressSink {
  start(step: ApplyStep): void;
  done(result: ApplyStepResult, progress: { done: number; total: number }): void;
  /** Replaces the bar (TTY) by the list of what was done, before the summary is printed. */
  finish(): void;
}

export interface ProgressOptions {
  total: number;
  colors: Colors;
  /** A TTY stream: draw a bar on it. */
  tty?: { write(text: string): unknown; columns?: number };
  /** Otherwise: one line per operation (already redacted by the caller's printer). */
  line?: (text: string) => void;
}

const BAR_WIDTH = 24;

export function createProgress(options: ProgressOptions): ProgressSink {
  const { colors, total } = options;
  const running = new Set<string>();
  let finished = 0;
  let failed = 0;
  const applied: string[] = [];

  if (!options.tty) {
    const line = options.line ?? (() => {});
    const width = String(total).length;
    return {
      start: () => {},
      done(result, progress) {
        line(`[${String(progress.done).padStart(width)}/${total}] ${resultText(result, colors)}`);
      },
      finish: () => {},
    };
  }

  const tty = options.tty;
  const draw = () => {
    const filled = total === 0 ? BAR_WIDTH : Math.round((finished / total) * BAR_WIDTH);
    const bar = `${colors.green("█".repeat(filled))}${colors.dim("░".repeat(BAR_WIDTH - filled))}`;
    const fails = failed > 0 ? colors.red(` ${failed} failed`) : "";
    const head = `${bar} ${finished}/${total}${fails}`;
    // The current operation fills what is left of the line, so the bar never wraps.
    const room = (tty.columns ?? 100) - 2 - visible(head).length;
    const now = [...running].at(-1) ?? "";
    const tail = room > 3 && now !== "" ? ` ${now.length > room ? `${now.slice(0, room - 1)}…` : now}` : "";
    tty.write(`\r\x1b[2K${head}${colors.dim(tail)}`);
  };
  return {
    start(step) {
      running.add(describeStep(step));
      draw();
    },
    done(result) {
      running.delete(describeStep(result));
      finished += 1;
      if (result.outcome !== "applied") {
        failed += 1;
        tty.write(`\r\x1b[2K${resultText(result, colors)}\n`);
      } else applied.push(resultText(result, colors));
      draw();
    },
    finish() {
      // Failures were printed as they happened; the bar gives way to what was done.
      tty.write(`\r\x1b[2K${applied.map((line) => `${line}\n`).join("")}`);
    },
  };
}

/** "✔ created crm_lookup", "✘ failed: update crm_lookup headers: …", "– skipped: create x: …". */
export function resultText(result: ApplyStepResult, colors: Colors): string {
  const what = describeStep(result);
  if (result.outcome === "applied") {
    const verb = { create: "created", update: "updated", delete: "deleted" }[result.kind];
    const rest = what.slice(result.kind.length + 1);
    return `${colors.green("✔")} ${verb} ${rest}${result.replayed ? colors.dim(" (replayed from an earlier run)") : ""}`;
  }
  if (result.outcome === "skipped") return `${colors.yellow("–")} skipped ${what}: ${result.reason ?? ""}`;
  return `${colors.red("✘")} failed ${what}: ${result.reason ?? "unknown error"}`;
}

function visible(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
