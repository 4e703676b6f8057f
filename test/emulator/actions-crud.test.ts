import { describe, expect, it } from "vitest";
import {
  api,
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

describe("actions CRUD", () => {
  it("creates with 201, Location and ETag, then reads it back", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("lead_enrichment", { description: "d" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(path(res.body.id));
    expect(res.headers.get("etag")).toBe('"1"');
    expect(res.body).toMatchObject({
      name: "lead_enrichment",
      description: "d",
      type: "SCRIPT",
      enabled: true,
      trigger: { type: "MANUAL" },
      dependencies: [],
      locked: false,
      version: 1,
    });
    expect(res.body.createdTimestamp).toBe(res.body.modifiedTimestamp);
    const got = await api(emulator, "GET", path(res.body.id), { token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    expect(got.headers.get("etag")).toBe('"1"');
  });

  it("PUT replaces the editable fields and bumps the version", async () => {
    const created = await createAction(
      emulator,
      token,
      scriptAction("put_me", { description: "old", enabled: false }),
    );
    const res = await api(emulator, "PUT", path(created.id), {
      token,
      body: scriptAction("put_me", { description: "new" }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: "new", enabled: true, version: 2 });
    expect(res.headers.get("etag")).toBe('"2"');
    const same = await api(emulator, "PUT", path(created.id), {
      token,
      body: scriptAction("put_me", { description: "new" }),
    });
    expect(same.body.version).toBe(2);
  });

  it("PATCH is a JSON merge patch and accepts application/merge-patch+json", async () => {
    const created = await createAction(
      emulator,
      token,
      scriptAction("patch_me", { config: { headers: { "X-Source": "cxda", "X-Drop": "1" } } }),
    );
    const res = await api(emulator, "PATCH", path(created.id), {
      token,
      raw: JSON.stringify({ description: "patched", config: { headers: { "X-Drop": null, "X-New": "v" } } }),
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe("patched");
    expect(res.body.config.headers).toEqual({ "X-Source": "cxda", "X-New": "v" });
    expect(res.body.script).toEqual(created.script);
    expect(res.body.version).toBe(2);
    const plain = await api(emulator, "PATCH", path(created.id), { token, body: { enabled: false } });
    expect(plain.body).toMatchObject({ enabled: false, version: 3 });
    const wrongType = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      raw: JSON.stringify(scriptAction("merge_post")),
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(wrongType.status).toBe(415);
  });

  it("DELETE answers 204 and the action is gone (404)", async () => {
    const created = await createAction(emulator, token, scriptAction("delete_me"));
    const del = await api(emulator, "DELETE", path(created.id), { token });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    const again = await api(emulator, "GET", path(created.id), { token });
    expect(again.status).toBe(404);
    expect(slug(again)).toBe("not-found");
  });

  it("validates the payload with every issue listed (name, type, script size)", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: { name: "a!", type: "SOAP", script: { language: "JavaScript", content: "x".repeat(70_000) } },
    });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("validation-failed");
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "type", "script.content"]));
    expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("refuses a control character in config.request.urlTemplate, naming the field and the character", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: {
        name: "url_with_cr",
        type: "HTTP",
        config: { request: { method: "GET", urlTemplate: "https://crm.example.com/a\r\nX-Injected: 1" } },
      },
    });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("validation-failed");
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: "config.request.urlTemplate",
        message: expect.stringContaining("CR at position 26, LF at position 27"),
      }),
    ]);
  });

  it("answers script-syntax with line and column", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("bad_syntax", {
        script: { language: "JavaScript", content: "function main(c) {\n  return (;\n}" },
      }),
    });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("script-syntax");
    expect(res.body.errors[0]).toMatchObject({ code: "script-syntax", line: 2 });
    expect(typeof res.body.errors[0].column).toBe("number");
  });

  it("validates the result of a PATCH", async () => {
    const created = await createAction(emulator, token, scriptAction("patch_invalid"));
    const res = await api(emulator, "PATCH", path(created.id), { token, body: { script: null } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("script");
  });

  it("keeps names unique per tenant (409 name-conflict)", async () => {
    await createAction(emulator, token, scriptAction("unique_name"));
    const dup = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("unique_name"),
    });
    expect(dup.status).toBe(409);
    expect(slug(dup)).toBe("name-conflict");
    const other = await createAction(emulator, token, scriptAction("other_name"));
    const rename = await api(emulator, "PATCH", path(other.id), { token, body: { name: "unique_name" } });
    expect(slug(rename)).toBe("name-conflict");
  });

  it("keeps names unique without regard to case, naming the action already there", async () => {
    const first = await createAction(emulator, token, scriptAction("lead_lookup"));
    const dup = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("LEAD_LOOKUP"),
    });
    expect(dup.status).toBe(409);
    expect(slug(dup)).toBe("name-conflict");
    expect(dup.body.detail).toBe(
      `The name LEAD_LOOKUP is taken: action lead_lookup (id ${first.id}) differs only in case, and names are unique in a tenant without regard to case; choose another name or update lead_lookup.`,
    );
    const other = await createAction(emulator, token, scriptAction("lead_other"));
    const rename = await api(emulator, "PATCH", path(other.id), { token, body: { name: "Lead_Lookup" } });
    expect(slug(rename)).toBe("name-conflict");
    // An action may change the case of its own name.
    const recased = await api(emulator, "PATCH", path(first.id), { token, body: { name: "Lead_Lookup" } });
    expect(recased.status).toBe(200);
    expect(recased.body.name).toBe("Lead_Lookup");
  });

  it("refuses unknown dependencies (400 unknown-dependency)", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("needs_ghosts", { dependencies: ["ghost_one", "ghost_two"] }),
    });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("unknown-dependency");
    expect(res.body.errors).toHaveLength(2);
    expect(res.body.errors[1].path).toBe("dependencies[1]");
  });

  it("refuses a change that closes a cycle anywhere in the tenant graph (400 dependency-cycle)", async () => {
    const a = await createAction(emulator, token, scriptAction("cycle_a"));
    await createAction(emulator, token, scriptAction("cycle_b", { dependencies: ["cycle_a"] }));
    await createAction(emulator, token, scriptAction("cycle_c", { dependencies: ["cycle_b"] }));
    const res = await api(emulator, "PATCH", path(a.id), { token, body: { dependencies: ["cycle_c"] } });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("dependency-cycle");
    expect(res.body.detail).toContain("cycle_a → cycle_c → cycle_b → cycle_a");
    const self = await api(emulator, "PATCH", path(a.id), { token, body: { dependencies: ["cycle_a"] } });
    expect(slug(self)).toBe("dependency-cycle");
  });

  it("refuses to delete or rename an action others depend on (409 has-dependents)", async () => {
    const base = await createAction(emulator, token, scriptAction("base_transform"));
    await createAction(emulator, token, scriptAction("uses_base", { dependencies: ["base_transform"] }));
    const del = await api(emulator, "DELETE", path(base.id), { token });
    expect(del.status).toBe(409);
    expect(slug(del)).toBe("has-dependents");
    expect(del.body.detail).toContain("uses_base");
    const rename = await api(emulator, "PATCH", path(base.id), { token, body: { name: "base_renamed" } });
    expect(slug(rename)).toBe("has-dependents");
  });

  it("answers 412 on an If-Match mismatch and 409 on a body version mismatch", async () => {
    const created = await createAction(emulator, token, scriptAction("versioned"));
    const stale = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { description: "x" },
      headers: { "if-match": '"7"' },
    });
    expect(stale.status).toBe(412);
    expect(slug(stale)).toBe("precondition-failed");
    const conflict = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { description: "x", version: 7 },
    });
    expect(conflict.status).toBe(409);
    expect(slug(conflict)).toBe("version-conflict");
    const ok = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { description: "x", version: 1 },
      headers: { "if-match": '"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const staleDelete = await api(emulator, "DELETE", path(created.id), {
      token,
      headers: { "if-match": '"1"' },
    });
    expect(staleDelete.status).toBe(412);
    // RFC 9110 §13.1.1: If-Match compares strongly, so W/"2" never matches version 2.
    for (const weak of ['W/"2"', 'W/"2", W/"3"']) {
      const weakMatch = await api(emulator, "PATCH", path(created.id), {
        token,
        body: { description: "weak" },
        headers: { "if-match": weak },
      });
      expect(weakMatch.status).toBe(412);
      expect(weakMatch.headers.get("etag")).toBe('"2"');
      expect(weakMatch.body.detail).toContain("weak");
    }
    const badHeader = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { description: "y" },
      headers: { "if-match": "2" },
    });
    expect(badHeader.status).toBe(400);
  });

  it("a locked action refuses every write except unlocking (403 action-locked)", async () => {
    const created = await createAction(emulator, token, scriptAction("locked_one", { locked: true }));
    const patch = await api(emulator, "PATCH", path(created.id), { token, body: { description: "no" } });
    expect(patch.status).toBe(403);
    expect(slug(patch)).toBe("action-locked");
    const put = await api(emulator, "PUT", path(created.id), {
      token,
      body: scriptAction("locked_one", { locked: true }),
    });
    expect(put.status).toBe(403);
    const del = await api(emulator, "DELETE", path(created.id), { token });
    expect(slug(del)).toBe("action-locked");
    const sneaky = await api(emulator, "PATCH", path(created.id), {
      token,
      body: { locked: false, description: "sneaky" },
    });
    expect(slug(sneaky)).toBe("action-locked");
    const unlock = await api(emulator, "PATCH", path(created.id), { token, body: { locked: false } });
    expect(unlock.status).toBe(200);
    expect(unlock.body).toMatchObject({ locked: false, version: 2 });
    expect(
      (await api(emulator, "PATCH", path(created.id), { token, body: { description: "now" } })).status,
    ).toBe(200);
  });

  it("refuses server-set fields in a payload with the SDK's message", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("with_id", { id: "x" }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ path: "id" });
  });
});

describe("listing and pagination", () => {
  it("pages through 130 actions with none lost and none repeated", async () => {
    const names = Array.from({ length: 130 }, (_, i) => `page_item_${String(i).padStart(3, "0")}`);
    for (const name of names) await createAction(emulator, token, scriptAction(name));
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const res = await api(emulator, "GET", `/api/v2/dataactions?page=${page}&pageSize=40`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ page, pageSize: 40, total: 130 });
      seen.push(...res.body.entities.map((a: { name: string }) => a.name));
      if (res.body.entities.length < 40) break;
    }
    expect(seen).toHaveLength(130);
    expect(new Set(seen).size).toBe(130);
    expect([...seen].sort()).toEqual(names);
    const first = await api(emulator, "GET", "/api/v2/dataactions", { token });
    expect(first.body.pageSize).toBe(25);
    expect(first.body.entities).toHaveLength(25);
  });

  it("filters by exact name and by nameContains (case-insensitive)", async () => {
    await createAction(emulator, token, scriptAction("Lead_Enrichment"));
    await createAction(emulator, token, scriptAction("lead_scoring"));
    await createAction(emulator, token, scriptAction("invoice_sync"));
    const contains = await api(emulator, "GET", "/api/v2/dataactions?nameContains=LEAD", { token });
    expect(contains.body.total).toBe(2);
    expect(contains.body.entities.map((a: { name: string }) => a.name).sort()).toEqual([
      "Lead_Enrichment",
      "lead_scoring",
    ]);
    const exact = await api(emulator, "GET", "/api/v2/dataactions?name=lead_scoring", { token });
    expect(exact.body.entities.map((a: { name: string }) => a.name)).toEqual(["lead_scoring"]);
    const none = await api(emulator, "GET", "/api/v2/dataactions?name=lead", { token });
    expect(none.body).toMatchObject({ entities: [], total: 0 });
  });

  it("answers 400 naming the parameter when page or pageSize is out of range", async () => {
    for (const [query, param] of [
      ["page=0", "page"],
      ["pageSize=101", "pageSize"],
      ["pageSize=0", "pageSize"],
      ["page=abc", "page"],
    ]) {
      const res = await api(emulator, "GET", `/api/v2/dataactions?${query}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe(param);
      expect(res.body.detail).toContain(param);
    }
  });

  it("refuses expand values no sub-resource provides (400 naming expand)", async () => {
    const res = await api(emulator, "GET", "/api/v2/dataactions?expand=variables,nope,history", { token });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(["expand", "expand"]);
  });
});
