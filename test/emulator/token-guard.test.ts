/** Issue 15 item 6: token guessing meets a growing back-off, per client id and per address. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorConfigInput } from "../../src/emulator/config.js";
import { api, basic, type Emulator, startTestEmulator, tokenRequest } from "./helpers.js";

const config: EmulatorConfigInput = {
  tenants: [
    {
      id: "acme",
      clients: [
        { id: "acme-ci", secret: "acme-ci-secret" },
        { id: "acme-other", secret: "other-secret" },
      ],
      accessKeys: [{ id: "AK1", secret: "access-key-secret", client: "acme-ci" }],
    },
  ],
};

let now = 1_700_000_000_000;
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ config, clock: () => now });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
});

const grant = { grant_type: "client_credentials" };
const as = (id: string, secret: string) =>
  tokenRequest(emulator, grant, { authorization: basic(id, secret) });

describe("POST /oauth2/token under guessing (issue 15 item 6)", () => {
  it("answers five wrong secrets, then locks the client with a back-off that doubles up to 60 s", async () => {
    for (let i = 0; i < 4; i++) expect((await as("acme-ci", `guess-${i}`)).status).toBe(401);
    // The fifth failure is still answered, and starts the first lockout.
    expect((await as("acme-ci", "guess-4")).status).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 9; round++) {
      const locked = await as("acme-ci", "acme-ci-secret");
      expect(locked.status).toBe(429);
      expect(locked.body.error).toBe("slow_down");
      const wait = Number(locked.headers.get("retry-after"));
      waits.push(wait);
      now += wait * 1000;
      expect((await as("acme-ci", `guess-again-${round}`)).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it("accepts the correct secret once the lockout has passed, and forgets the failures", async () => {
    for (let i = 0; i < 8; i++) await as("acme-ci", `guess-${i}`);
    const locked = await as("acme-ci", "acme-ci-secret");
    expect(locked.status).toBe(429);
    const wait = Number(locked.headers.get("retry-after"));
    expect(wait).toBeLessThanOrEqual(60);
    now += wait * 1000;
    expect((await as("acme-ci", "acme-ci-secret")).status).toBe(200);
    // Forgotten: the next wrong secret is answered again, not locked.
    expect((await as("acme-ci", "guess-after")).status).toBe(401);
    expect((await as("acme-ci", "acme-ci-secret")).status).toBe(200);
  });

  it("says what was refused, why and how to proceed, and never echoes the secret", async () => {
    for (let i = 0; i < 5; i++) await as("acme-ci", "very-wrong-secret");
    const locked = await as("acme-ci", "very-wrong-secret");
    expect(locked.body.error_description).toMatch(
      /^Token request refused: 5 failed token requests for client "acme-ci"; retry after 1 s\. .*at most 60 s; check the client id and secret\.$/,
    );
    expect(locked.text).not.toContain("very-wrong-secret");
    expect(locked.headers.get("cache-control")).toBe("no-store");
  });

  it("locks one client only: another client of the same address still gets tokens", async () => {
    for (let i = 0; i < 6; i++) await as("acme-ci", `guess-${i}`);
    expect((await as("acme-ci", "acme-ci-secret")).status).toBe(429);
    expect((await as("acme-other", "other-secret")).status).toBe(200);
  });

  it("counts wrong access keys of the password grant as failures of the client", async () => {
    const form = { grant_type: "password", username: "AK1", password: "wrong" };
    for (let i = 0; i < 5; i++)
      expect(
        (await tokenRequest(emulator, form, { authorization: basic("acme-ci", "acme-ci-secret") })).status,
      ).toBe(400);
    expect((await as("acme-ci", "acme-ci-secret")).status).toBe(429);
  });

  it("locks an address that guesses across many client ids", async () => {
    for (let i = 0; i < 20; i++) expect((await as(`ghost-${i}`, "x")).status).toBe(401);
    const locked = await as("acme-other", "other-secret");
    expect(locked.status).toBe(429);
    expect(locked.body.error_description).toContain("20 failed token requests from address 127.0.0.1");
    now += Number(locked.headers.get("retry-after")) * 1000;
    expect((await as("acme-other", "other-secret")).status).toBe(200);
  });

  it("rate-limits all token requests of a client to bursts of 60", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await as("acme-ci", "acme-ci-secret")).status);
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    const limited = await as("acme-ci", "acme-ci-secret");
    expect(limited.status).toBe(429);
    expect(limited.body.error_description).toContain("more than 300 token requests per minute");
    now += Number(limited.headers.get("retry-after")) * 1000;
    expect((await as("acme-ci", "acme-ci-secret")).status).toBe(200);
  });
});
