/** The emulator validates the RESULTING header matrix on every write that touches config.headers
 *  with the same messages as the SDK's validateHeaders, and writes nothing when one fails. */
import { describe, expect, it } from "vitest";
import { validateHeaders } from "../../src/domain/headers.js";
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

const path = (id: string) => `/api/v2/dataactions/${id}`;

async function withHeaders(headers: Record<string, string>): Promise<Body> {
  return createAction(emulator, token, scriptAction("hdr_action", { config: { headers } }));
}

/** The messages validateHeaders gives for the matrix the write would produce. */
function expectedMessages(matrix: Record<string, unknown>): string[] {
  return validateHeaders(matrix).issues.map((i) => i.message);
}

describe("PATCH config.headers (merge patch)", () => {
  it("removes a header set to null, adds and changes others, bumps the version", async () => {
    const created = await withHeaders({ "X-A": "1", "X-B": "2" });
    const res = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { config: { headers: { "X-A": null, "X-B": "two", "X-C": "3" } }, version: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body.config.headers).toEqual({ "X-B": "two", "X-C": "3" });
    expect(res.body.version).toBe(2);
    expect(res.headers.get("etag")).toBe('"2"');
  });

  it("answers 409 version-conflict for a stale body version and 412 for a stale If-Match", async () => {
    const created = await withHeaders({ "X-A": "1" });
    await api(emulator, "PATCH", path(created.id), { token, body: { config: { headers: { "X-B": "2" } } } });
    const stale = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { config: { headers: { "X-C": "3" } }, version: 1 },
    });
    expect([stale.status, slug(stale)]).toEqual([409, "version-conflict"]);
    const staleMatch = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { config: { headers: { "X-C": "3" } } },
      headers: { "if-match": '"1"' },
    });
    expect([staleMatch.status, slug(staleMatch)]).toEqual([412, "precondition-failed"]);
    const now = await api(emulator, "GET", path(created.id), { token });
    expect(now.body.config.headers).toEqual({ "X-A": "1", "X-B": "2" });
  });

  const refused: [string, Record<string, string | null>, Record<string, unknown>][] = [
    ["a reserved header", { Host: "evil.example.com" }, { "X-Keep": "k", Host: "evil.example.com" }],
    ["a CR/LF injection", { "X-A": "v\r\nX-Injected: 1" }, { "X-Keep": "k", "X-A": "v\r\nX-Injected: 1" }],
    ["a header over 8192 bytes", { "X-Big": "b".repeat(9000) }, { "X-Keep": "k", "X-Big": "b".repeat(9000) }],
    ["a Unicode name", { "X-Grüße": "1" }, { "X-Keep": "k", "X-Grüße": "1" }],
    ["a case-insensitive duplicate of a stored header", { "x-keep": "2" }, { "X-Keep": "k", "x-keep": "2" }],
  ];
  for (const [what, patch, resulting] of refused) {
    it(`refuses ${what} with the validator's exact message and writes nothing`, async () => {
      const created = await withHeaders({ "X-Keep": "k" });
      const res = await api(emulator, "PATCH", path(created.id), {
        token,
        body: { config: { headers: { ...patch, "X-Valid-Too": "fine" } }, version: 1 },
      });
      expect(res.status).toBe(400);
      expect(slug(res)).toBe("validation-failed");
      const expected = expectedMessages({ ...resulting, "X-Valid-Too": "fine" });
      expect(expected.length).toBeGreaterThan(0);
      expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(expected);
      expect(res.body.errors[0].path).toMatch(/^config\.headers/);
      const now = await api(emulator, "GET", path(created.id), { token });
      expect(now.body.version).toBe(1);
      expect(now.body.config.headers).toEqual({ "X-Keep": "k" });
    });
  }

  it("checks the total over the resulting matrix, not only the patched headers", async () => {
    const created = await withHeaders({ "X-Existing": "e".repeat(5000) });
    const res = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { config: { headers: { "X-More": "m".repeat(4000) } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      "The 2 headers add up to 9020 bytes (name + value + 2 each); the limit is 8192 bytes for all headers together: remove or shorten some",
    );
    // Removing the big one in the same patch makes the result valid.
    const ok = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { config: { headers: { "X-Existing": null, "X-More": "m".repeat(4000) } } },
    });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body.config.headers)).toEqual(["X-More"]);
  });

  it("never echoes a header value in a refusal", async () => {
    const created = await withHeaders({});
    const res = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { config: { headers: { Authorization: " Bearer sk-live-000111222333", Host: "h.example" } } },
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain("sk-live-000111222333");
    expect(res.text).not.toContain("h.example");
  });
});

describe("POST and PUT validate config.headers too", () => {
  it("POST refuses an invalid matrix and creates nothing", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("hdr_post", { config: { headers: { Connection: "close", "X-A": "a\u0000" } } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(
      expectedMessages({ Connection: "close", "X-A": "a\u0000" }),
    );
    const list = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(list.body.total).toBe(0);
  });

  it("PUT refuses an invalid matrix and keeps the stored one", async () => {
    const created = await withHeaders({ "X-Keep": "k" });
    const res = await api(emulator, "PUT", path(created.id), {
      token,
      body: scriptAction("hdr_action", {
        config: { headers: { "X-Keep": "k", "Transfer-Encoding": "chunked" } },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      "Header 'Transfer-Encoding' is reserved by the integration engine and cannot be set",
    );
    const now = await api(emulator, "GET", path(created.id), { token });
    expect(now.body).toMatchObject({ version: 1, config: { headers: { "X-Keep": "k" } } });
  });

  it("refuses 10 000 headers with a bounded list of issues", async () => {
    const headers = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, "v"]));
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("hdr_many", { config: { headers } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(expectedMessages(headers));
    expect(res.body.errors.length).toBeLessThan(50);
  });
});
