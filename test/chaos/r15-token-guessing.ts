/**
 * R15: token guessing. A flood of wrong secrets for one client, then an attacker who obeys every
 * Retry-After for a simulated hour (the emulator's clock is injected), then many client ids from one
 * address. Secrets compared before the first lockout, guesses compared per hour, the longest
 * lockout a correct secret can meet; and a real SDK client whose client was just locked still gets
 * its token once the lockout passes.
 */
import { DEFAULT_TOKEN_GUARD } from "../../src/emulator/auth/token-guard.js";
import { rawRequest } from "../helpers/encoded-paths.js";
import { type ChaosRun, chaosClient, exactly, type Figure, info, pool } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

export async function runR15(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const policy = DEFAULT_TOKEN_GUARD;
  let now = Date.now();
  const emulator = await run.emulator("r15-clock", { clock: () => now });
  const ask = (clientId: string, secret: string) =>
    rawRequest(emulator.url, "POST", "/oauth2/token", {
      headers: FORM,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: secret,
      }).toString(),
    });
  try {
    // 1. The flood: sequential, so "before the first lockout" is well defined.
    let beforeLockout = 0;
    let compared = 0;
    let locked = false;
    for (let i = 0; i < size.r15Guesses; i++) {
      const res = await ask("chaos-sdk", `guess-${i}`);
      if (res.status === 401) {
        compared += 1;
        if (!locked) beforeLockout += 1;
      } else if (res.status === 429) locked = true;
    }
    // 2. An attacker obeying Retry-After for one simulated hour.
    const start = now;
    let hourGuesses = 0;
    let longest = 0;
    while (now - start < 3_600_000) {
      const res = await ask("chaos-sdk", `patient-${hourGuesses}`);
      if (res.status === 401) hourGuesses += 1;
      else {
        const wait = Number(res.headers["retry-after"]);
        longest = Math.max(longest, wait);
        now += wait * 1000;
      }
    }
    // 3. The correct secret once the attacker stops: refused at most for the longest lockout.
    const blocked = await ask("chaos-sdk", run.clientSecrets.sdk);
    const wait = blocked.status === 429 ? Number(blocked.headers["retry-after"]) : 0;
    now += wait * 1000;
    const accepted = (await ask("chaos-sdk", run.clientSecrets.sdk)).status === 200 ? 1 : 0;
    // 4. Many client ids from one address.
    await rawRequest(emulator.url, "POST", "/_emulator/reset");
    let spreadBefore = 0;
    for (let i = 0; i < policy.addressFreeFailures * 3; i++) {
      const res = await ask(`ghost-${i}`, "x");
      if (res.status === 429) break;
      spreadBefore += 1;
    }
    const bound = policy.clientFreeFailures + 3_600 / policy.maxLockoutSeconds + 8;
    const figures = [
      info("R15", "wrong-secret token requests in the flood", size.r15Guesses),
      exactly("R15", "secrets compared before the first lockout", beforeLockout, policy.clientFreeFailures),
      info("R15", "secrets compared during the whole flood", compared),
      {
        scenario: "R15",
        figure: "guesses compared in 1 h obeying every Retry-After",
        value: hourGuesses,
        required: `≤ ${bound}`,
        pass: hourGuesses <= bound,
      },
      {
        scenario: "R15",
        figure: "longest lockout met (s)",
        value: longest,
        required: `≤ ${policy.maxLockoutSeconds}`,
        pass: longest > 0 && longest <= policy.maxLockoutSeconds,
      },
      exactly("R15", "correct secret accepted once the lockout passed", accepted, 1),
      exactly(
        "R15",
        "failures from one address over many client ids before lockout",
        spreadBefore,
        policy.addressFreeFailures,
      ),
    ];
    figures.push(...(await sdkAfterLockout(run, size)));
    return figures;
  } finally {
    await emulator.close();
  }
}

/** Real time: a concurrent flood locks the client, then the SDK with the right secret gets through. */
async function sdkAfterLockout(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r15-sdk");
  const client = chaosClient(run, emulator, "sdk");
  try {
    const started = Date.now();
    const results = await pool(size.r15Guesses, 16, (i) =>
      rawRequest(emulator.url, "POST", "/oauth2/token", {
        headers: FORM,
        body: `grant_type=client_credentials&client_id=chaos-sdk&client_secret=flood-${i}`,
      }),
    );
    const floodMs = Date.now() - started;
    const answered401 = results.filter((r) => r.status === "fulfilled" && r.value.status === 401).length;
    const before = Date.now();
    const ok = await client.sdk.actions
      .listAll()
      .then(() => 1)
      .catch(() => 0);
    return [
      info("R15", `concurrent flood: secrets compared of ${size.r15Guesses} (${floodMs} ms)`, answered401),
      exactly("R15", "SDK with the correct secret succeeds after the flood", ok, 1),
      info("R15", "SDK wait for its token after the flood (ms)", Date.now() - before),
    ];
  } finally {
    await client.close();
    await emulator.close();
  }
}
