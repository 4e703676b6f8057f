/**
 * Fault injection: rules set with `PUT /_emulator/faults` and the per-request
 * `X-Emulator-Fault` header. Both are validated like any input (400 `invalid-fault`).
 */
import { z } from "zod";
import { PROBLEMS } from "../domain/problems.js";
import type { ValidationIssue } from "../domain/validation-result.js";
import { ProblemError, problemFromIssues } from "./problem.js";

const FAULT_STATUSES = [...new Set(Object.values(PROBLEMS).map((p) => p.status as number))].sort(
  (a, b) => a - b,
);

const METHODS = ["*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

export const faultRuleSchema = z
  .strictObject({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(METHODS))
      .default("*"),
    path: z
      .string()
      .regex(/^\/[^?#\s]*$/, "must be a path starting with '/' (segments, '*' or '**'), no query"),
    status: z
      .number()
      .int()
      .refine((s) => FAULT_STATUSES.includes(s), `must be one of ${FAULT_STATUSES.join(", ")}`)
      .nullable()
      .default(null),
    retryAfter: z.number().int().min(0).max(3600).nullable().default(null),
    delayMs: z.number().int().min(0).max(60_000).default(0),
    drop: z.boolean().default(false),
    reset: z.boolean().default(false),
    probability: z.number().min(0).max(1).default(1),
    count: z.number().int().min(1).nullable().default(null),
  })
  .superRefine((rule, ctx) => {
    const effects = [rule.status !== null, rule.drop, rule.reset].filter(Boolean).length;
    if (effects > 1)
      ctx.addIssue({ code: "custom", path: [], message: "choose at most one of status, drop and reset" });
    if (effects === 0 && rule.delayMs === 0)
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "a rule needs status, drop, reset or a delayMs above 0",
      });
  });

export type FaultRule = z.output<typeof faultRuleSchema>;

const faultsDocumentSchema = z.strictObject({ rules: z.array(faultRuleSchema).max(100) });

/** What a request suffers. */
export interface FaultEffect {
  status: number | null;
  retryAfter: number | null;
  delayMs: number;
  drop: boolean;
  reset: boolean;
}

function toIssues(error: z.ZodError, base: string): ValidationIssue[] {
  return error.issues.map((i) => {
    const path = [base, ...i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))].join("");
    return { path, code: "invalid-fault", message: `${path}: ${i.message}` };
  });
}

/** Validates a `PUT /_emulator/faults` body. */
export function parseFaultRules(body: unknown): FaultRule[] {
  const parsed = faultsDocumentSchema.safeParse(body);
  if (!parsed.success) throw problemFromIssues(toIssues(parsed.error, "body"), "The fault rules");
  return parsed.data.rules;
}

/** `*` matches one whole segment, `**` any rest (zero or more segments). */
export function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split("/").filter((s) => s !== "");
  const s = path.split("/").filter((x) => x !== "");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "**") return true;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number | null;
}

export class FaultRules {
  private rules: ActiveRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, remaining: rule.count }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules as set, with `remaining` = how many more times each may fire (null = unlimited). */
  list(): (FaultRule & { remaining: number | null })[] {
    return this.rules.map((r) => ({ ...r.rule, remaining: r.remaining }));
  }

  /** The first rule that matches and fires (probability, count) for this request. */
  match(method: string, path: string): FaultEffect | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining === 0) continue;
      if (rule.method !== "*" && rule.method !== method.toUpperCase()) continue;
      if (!pathMatches(rule.path, path)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (active.remaining !== null) active.remaining -= 1;
      return {
        status: rule.status,
        retryAfter: rule.retryAfter,
        delayMs: rule.delayMs,
        drop: rule.drop,
        reset: rule.reset,
      };
    }
    return undefined;
  }
}

/** Parses `X-Emulator-Fault`: `status=503;retry-after=1`, `drop`, `delay=500`, `reset` (combinable by `;`). */
export function parseFaultHeader(value: string): FaultEffect {
  const effect: FaultEffect = { status: null, retryAfter: null, delayMs: 0, drop: false, reset: false };
  const issues: ValidationIssue[] = [];
  const bad = (message: string) =>
    issues.push({ path: "X-Emulator-Fault", code: "invalid-fault", message: `X-Emulator-Fault: ${message}` });
  const int = (name: string, raw: string | undefined, min: number, max: number): number | null => {
    if (raw === undefined || !/^\d{1,7}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      bad(`${name} needs a whole number from ${min} to ${max}, got ${JSON.stringify(raw ?? "")}`);
      return null;
    }
    return Number(raw);
  };
  for (const part of value.split(";").map((p) => p.trim())) {
    if (part === "") continue;
    const [name, raw] = part.split("=", 2).map((x) => x.trim()) as [string, string | undefined];
    switch (name.toLowerCase()) {
      case "status": {
        const status = int("status", raw, 400, 599);
        if (status !== null && !FAULT_STATUSES.includes(status))
          bad(`status must be one of ${FAULT_STATUSES.join(", ")}, got ${status}`);
        else effect.status = status;
        break;
      }
      case "retry-after":
        effect.retryAfter = int("retry-after", raw, 0, 3600);
        break;
      case "delay":
        effect.delayMs = int("delay", raw, 0, 60_000) ?? 0;
        break;
      case "drop":
        effect.drop = true;
        break;
      case "reset":
        effect.reset = true;
        break;
      default:
        bad(`unknown fault "${name}"; use status=N[;retry-after=S], drop, reset or delay=MS`);
    }
  }
  if ([effect.status !== null, effect.drop, effect.reset].filter(Boolean).length > 1)
    bad("choose at most one of status, drop and reset");
  if (issues.length > 0) throw problemFromIssues(issues, "The X-Emulator-Fault header");
  if (effect.status === null && !effect.drop && !effect.reset && effect.delayMs === 0)
    throw new ProblemError(
      "invalid-fault",
      "X-Emulator-Fault asks for no fault; use status=N, drop, reset or delay=MS.",
      {
        issues: [
          { path: "X-Emulator-Fault", code: "invalid-fault", message: "X-Emulator-Fault: no fault given" },
        ],
      },
    );
  return effect;
}

/** The longest invalidation lag the test hook takes. */
export const MAX_INVALIDATION_LAG_MS = 60_000;

/** `PUT /_emulator/invalidation-lag` `{"delayMs": n}`: a whole number of milliseconds, 0 to stop. */
export function parseInvalidationLag(body: unknown): number {
  const delayMs =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).delayMs
      : undefined;
  if (
    typeof delayMs === "number" &&
    Number.isInteger(delayMs) &&
    delayMs >= 0 &&
    delayMs <= MAX_INVALIDATION_LAG_MS
  )
    return delayMs;
  const message = `delayMs must be a whole number of milliseconds from 0 (no lag) to ${MAX_INVALIDATION_LAG_MS}, e.g. {"delayMs": 100}`;
  throw new ProblemError("invalid-fault", message, {
    issues: [{ path: "delayMs", code: "invalid-fault", message }],
  });
}
