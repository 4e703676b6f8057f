/** The emulator enforces the date processing rules (docs/datetime.md) on `config.dateProcessing` with the SDK's own rules and messages. */
import { describe, expect, it } from "vitest";
import { validateActionPayload } from "../../src/domain/action-rules.js";
import { buildDateProcessing } from "../../src/domain/datetime.js";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  scriptAction,
  slug,
  UNTHROTTLED,
  useTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
useTestEmulator(UNTHROTTLED, (running) => {
  ({ emulator, token } = running);
});

const ACTIONS = "/api/v2/dataactions";
const fields = { sourceField: "input_datetime", targetField: "processed_datetime" };
/** The documented example (docs/datetime.md), computed by the domain: 12:30 -05:00 = 17:30 Z. */
const seedExample = () =>
  buildDateProcessing(
    {
      sourceTimestamp: "2024-02-29T15:30:00.000Z",
      timezone: "America/New_York",
      operation: "ADD_OFFSET",
      offsetMinutes: 120,
      precision: 3,
    },
    fields,
  );

/** The errors the SDK's validator gives for the same payload, as the emulator must send them. */
function sdkIssues(payload: Record<string, unknown>) {
  return validateActionPayload(payload).issues.map((i) => ({
    path: i.path,
    code: i.code,
    message: i.message,
  }));
}

function errorsOf(body: Body) {
  return (body.errors as { path: string; code: string; message: string }[]).map((e) => ({
    path: e.path,
    code: e.code,
    message: e.message,
  }));
}

describe("config.dateProcessing on POST, PUT and PATCH", () => {
  it("stores a consistent dateProcessing as sent", async () => {
    const dateProcessing = seedExample();
    const created = await createAction(
      emulator,
      token,
      scriptAction("dp_ok", { config: { dateProcessing } }),
    );
    expect(created.config.dateProcessing).toEqual(dateProcessing);
    expect(created.config.dateProcessing.computedValue).toBe("2024-02-29T12:30:00.000-05:00");
  });

  it("refuses computedValue and computedUtc naming different instants with 400 and the SDK's message", async () => {
    const payload = scriptAction("dp_mismatch", {
      config: { dateProcessing: { ...seedExample(), computedUtc: "2024-02-29T18:30:00.000Z" } },
    });
    const res = await api(emulator, "POST", ACTIONS, { token, body: payload });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(slug(res)).toBe("validation-failed");
    const errors = errorsOf(res.body);
    expect(errors).toContainEqual(
      expect.objectContaining({ path: "config.dateProcessing.computedValue", code: "instant-mismatch" }),
    );
    expect(errors.find((e) => e.code === "instant-mismatch")?.message).toContain("name different instants");
    expect(errors).toEqual(sdkIssues(payload));
  });

  it("refuses an unknown time zone with 400 naming the field and the accepted form", async () => {
    const payload = scriptAction("dp_mars", {
      config: { dateProcessing: { ...seedExample(), timezone: "Mars/Olympus" } },
    });
    const res = await api(emulator, "POST", ACTIONS, { token, body: payload });
    expect(res.status).toBe(400);
    const errors = errorsOf(res.body);
    const zone = errors.find((e) => e.path === "config.dateProcessing.timezone");
    expect(zone?.code).toBe("unknown-timezone");
    expect(zone?.message).toContain("IANA time zone");
    expect(errors).toEqual(sdkIssues(payload));
  });

  it("refuses a local time labelled with Z on PATCH, and keeps the stored value", async () => {
    const created = await createAction(
      emulator,
      token,
      scriptAction("dp_patch", { config: { dateProcessing: seedExample() } }),
    );
    const res = await api(emulator, "PATCH", `${ACTIONS}/${created.id}`, {
      token,
      body: { config: { dateProcessing: { computedValue: "2024-02-29T12:30:00.000Z" } }, version: 1 },
    });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body).map((e) => e.path)).toContain("config.dateProcessing.computedValue");
    const got = await api(emulator, "GET", `${ACTIONS}/${created.id}`, { token });
    expect(got.body.version).toBe(1);
    expect(got.body.config.dateProcessing).toEqual(seedExample());
  });

  it("refuses an incomplete dateProcessing on PUT, and accepts null (no date processing)", async () => {
    const created = await createAction(emulator, token, scriptAction("dp_put"));
    const bad = await api(emulator, "PUT", `${ACTIONS}/${created.id}`, {
      token,
      body: scriptAction("dp_put", { config: { dateProcessing: { operation: "ADD_OFFSET" } }, version: 1 }),
    });
    expect(bad.status).toBe(400);
    const paths = errorsOf(bad.body).map((e) => e.path);
    for (const field of ["sourceTimestamp", "timezone", "offsetMinutes", "precision", "computedUtc"]) {
      expect(paths).toContain(`config.dateProcessing.${field}`);
    }
    const cleared = await api(emulator, "PUT", `${ACTIONS}/${created.id}`, {
      token,
      body: scriptAction("dp_put", { config: { dateProcessing: null }, version: 1 }),
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.config.dateProcessing).toBeNull();
  });

  it("refuses a computed value that does not match a recomputation of the stored input", async () => {
    const payload = scriptAction("dp_recompute", {
      config: { dateProcessing: { ...seedExample(), offsetMinutes: 60 } },
    });
    const res = await api(emulator, "POST", ACTIONS, { token, body: payload });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body).map((e) => e.code)).toContain("recomputation-mismatch");
  });
});
