/**
 * The printing layer: commands return data, this turns it into a table or into `--json` with a
 * schema version. Everything printed goes through the redactor first.
 */
import pc from "picocolors";
import type { Redactor } from "../audit/redactor.js";

export const SCHEMA_VERSION = 1;

export type OutputFormat = "json" | "yaml" | "table";

export interface OutputOptions {
  json: boolean;
  /** `--output yaml` prints the machine result as YAML (json stays true: no human lines). */
  format?: OutputFormat;
  /** `--jq EXPR`: the machine result filtered through jq (strings printed raw, as gh does). */
  jq?: string;
  /** Colour on stdout. */
  color: boolean;
  /** Colour on stderr (decided separately: one may be a terminal and the other a file). */
  errorColor?: boolean;
  verbose: boolean;
  redactor: Redactor;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export type Colors = ReturnType<typeof pc.createColors>;

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** For text written to stdout. */
  readonly colors: Colors;
  /** For text written to stderr. */
  readonly errorColors: Colors;
  readonly redactor: Redactor;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private format: OutputFormat;
  private jq: string | undefined;
  /** A result waiting for `flush` (YAML or jq). */
  private pending: unknown;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.colors = pc.createColors(options.color);
    this.errorColors = pc.createColors(options.errorColor ?? options.color);
    this.redactor = options.redactor;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.format = options.format ?? (options.json ? "json" : "table");
    this.jq = options.jq;
  }

  /** Human output to stdout (suppressed under --json); `unmasked` as for `table`. */
  line(text = "", options: { unmasked?: boolean } = {}): void {
    if (!this.json) this.stdout.write(`${options.unmasked ? text : this.redactor.redactString(text)}\n`);
  }

  /**
   * A table on stdout: each cell masked before the columns are measured, so masking never shifts them.
   * `unmasked` prints the cells as given, for values the user asked to see (`--show-values`).
   */
  table(headers: string[], rows: string[][], options: { unmasked?: boolean } = {}): void {
    if (this.json) return;
    const cells = options.unmasked ? rows : rows.map((row) => row.map((c) => this.redactor.redactString(c)));
    this.stdout.write(`${formatTable(headers, cells, this.colors)}\n`);
  }

  /** The machine result: `{schemaVersion, ...data}` on one line of stdout; `unmasked` as for `table`. */
  result(data: Record<string, unknown>, options: { unmasked?: boolean } = {}): void {
    const full = { schemaVersion: SCHEMA_VERSION, ...data };
    const body = options.unmasked ? full : this.redactor.redact(full);
    if (this.jq !== undefined || this.format === "yaml") this.pending = body;
    else this.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }

  /** An error is reported as plain JSON: neither filtered by --jq nor turned into YAML. */
  unfiltered(): void {
    this.pending = undefined;
    this.jq = undefined;
    if (this.format === "yaml") this.format = "json";
  }

  /** Writes a result held for `--output yaml` or `--jq` (a jq error is a usage error, exit 64). */
  async flush(): Promise<void> {
    if (this.pending === undefined) return;
    const body = this.pending;
    this.pending = undefined;
    if (this.jq !== undefined) {
      const { filterJson } = await import("./jq-filter.js");
      const text = await filterJson(body, this.jq);
      this.stdout.write(text === "" || text.endsWith("\n") ? text : `${text}\n`);
    } else {
      const { toYaml } = await import("./yaml-output.js");
      this.stdout.write(toYaml(body));
    }
  }

  /** Text as is to stdout, even under --json (a generated script, not a result). */
  raw(text: string): void {
    this.stdout.write(text);
  }

  /** Warnings and progress go to stderr so stdout stays parseable. */
  warn(text: string): void {
    this.stderr.write(`${this.errorColors.yellow("warning:")} ${this.redactor.redactString(text)}\n`);
  }

  info(text: string): void {
    if (!this.json) this.stderr.write(`${this.redactor.redactString(text)}\n`);
  }

  trace(text: string): void {
    if (this.verbose) this.stderr.write(`${this.errorColors.dim(this.redactor.redactString(text))}\n`);
  }

  error(text: string): void {
    this.stderr.write(`${this.errorColors.red("error:")} ${this.redactor.redactString(text)}\n`);
  }
}

/** A plain fixed-width table; `rows` are already strings. */
export function formatTable(headers: string[], rows: string[][], colors?: Colors): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const pad = (cell: string, i: number) => cell + " ".repeat(Math.max(0, widths[i]! - visibleLength(cell)));
  const head = headers.map(pad).join("  ").trimEnd();
  const lines = [colors ? colors.bold(head) : head];
  for (const row of rows)
    lines.push(
      row
        .map((c, i) => pad(c ?? "", i))
        .join("  ")
        .trimEnd(),
    );
  return lines.join("\n");
}

// Color codes take no width on screen.
function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}
