/**
 * R11: every guarded path × 6 encodings, sent byte for byte over HTTP — 0 bypasses.
 * - the `/_emulator` test hooks on an emulator that refuses them (test hooks off: the same check that
 *   refuses a non-loopback peer), and their effects (nothing reset, no fault rule set);
 * - `/api/v2` with the client's rate-limit bucket empty (clock frozen): every spelling is 429;
 * - `/api/v2` under a fault rule: every spelling is faulted;
 * - `/oauth2/token` for a locked-out client: every spelling is 429.
 * As a control, on an emulator serving the hooks every spelling reaches the hook's route.
 */
import { ENCODINGS, rawRequest } from "../helpers/encoded-paths.js";
import { actionInput, type ChaosRun, chaosClient, exactly, type Figure, info } from "./harness.js";

const HOOKS: [string, string, string?][] = [
  ["POST", "/_emulator/reset"],
  ["PUT", "/_emulator/faults", JSON.stringify({ rules: [{ path: "/**", status: 503 }] })],
  ["GET", "/_emulator/faults"],
  ["GET", "/_emulator/requests"],
];

const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

export async function runR11(run: ChaosRun): Promise<Figure[]> {
  const bypasses = { hooks: 0, rate: 0, faults: 0, token: 0 };
  const examples: string[] = [];
  let sent = 0;
  const note = (surface: keyof typeof bypasses, what: string) => {
    bypasses[surface] += 1;
    if (examples.length < 5) examples.push(what);
  };

  // Test hooks refused.
  const closed = await run.emulator("r11-hooks-off", { testHooks: false });
  const owner = chaosClient(run, closed, "raw");
  try {
    const kept = (await owner.sdk.actions.create(actionInput("r11_kept"))).body;
    for (const [name, encode] of ENCODINGS)
      for (const [method, path, body] of HOOKS) {
        const target = encode(path, closed.url);
        const res = await rawRequest(closed.url, method, target, {
          ...(body === undefined ? {} : { body, headers: JSON_TYPE }),
        });
        sent += 1;
        if (res.status !== 403) note("hooks", `${method} ${target} (${name}) → ${res.status}`);
      }
    const after = await owner.sdk.actions.get(kept.id).catch(() => undefined);
    if (after?.body.id !== kept.id) note("hooks", "an encoded reset or fault rule took effect");
  } finally {
    await owner.close();
    await closed.close();
  }

  // Control: hooks served, every spelling reaches the route.
  const open = await run.emulator("r11-hooks-on");
  let routed = 0;
  try {
    for (const [, encode] of ENCODINGS)
      for (const [method, path] of HOOKS.filter(([m]) => m === "GET")) {
        const res = await rawRequest(open.url, method, encode(path, open.url));
        sent += 1;
        if (res.status === 200) routed += 1;
      }
  } finally {
    await open.close();
  }

  // Rate limit, fault rules and token lockout; the clock stands still so nothing refills or expires.
  const frozen = Date.now();
  const limited = await run.emulator("r11-limits", {
    rateLimit: { perMinute: 1, burst: 2 },
    clock: () => frozen,
  });
  try {
    const token = await rawRequest(limited.url, "POST", "/oauth2/token", {
      headers: FORM_TYPE,
      body: `grant_type=client_credentials&client_id=chaos-raw&client_secret=${run.clientSecrets.raw}`,
    });
    const bearer = { authorization: `Bearer ${JSON.parse(token.text).access_token as string}` };
    for (let i = 0; i < 2; i++)
      await rawRequest(limited.url, "GET", "/api/v2/environments", { headers: bearer });
    for (const [name, encode] of ENCODINGS) {
      const target = encode("/api/v2/dataactions", limited.url);
      const res = await rawRequest(limited.url, "GET", target, { headers: bearer });
      sent += 1;
      if (res.status !== 429) note("rate", `GET ${target} (${name}) → ${res.status}`);
    }
    // Fault rules apply before the rate limit: a rule answers every spelling with its status.
    await rawRequest(limited.url, "PUT", "/_emulator/faults", {
      headers: JSON_TYPE,
      body: JSON.stringify({ rules: [{ method: "GET", path: "/api/v2/environments", status: 502 }] }),
    });
    for (const [name, encode] of ENCODINGS) {
      const target = encode("/api/v2/environments", limited.url);
      const res = await rawRequest(limited.url, "GET", target, { headers: bearer });
      sent += 1;
      if (res.status !== 502) note("faults", `GET ${target} (${name}) → ${res.status}`);
    }
    for (let i = 0; i < 5; i++)
      await rawRequest(limited.url, "POST", "/oauth2/token", {
        headers: FORM_TYPE,
        body: `grant_type=client_credentials&client_id=chaos-sdk&client_secret=wrong-${i}`,
      });
    for (const [name, encode] of ENCODINGS) {
      const target = encode("/oauth2/token", limited.url);
      const res = await rawRequest(limited.url, "POST", target, {
        headers: FORM_TYPE,
        body: `grant_type=client_credentials&client_id=chaos-sdk&client_secret=${run.clientSecrets.sdk}`,
      });
      sent += 1;
      if (res.status !== 429) note("token", `POST ${target} (${name}) → ${res.status}`);
    }
  } finally {
    await limited.close();
  }

  const figures = [
    info("R11", "guarded paths × encodings sent", sent),
    exactly("R11", "bypasses of the /_emulator guard (4 hooks × 6)", bypasses.hooks, 0),
    exactly("R11", "bypasses of the rate limit (/api/v2 × 6)", bypasses.rate, 0),
    exactly("R11", "bypasses of a fault rule (/api/v2 × 6)", bypasses.faults, 0),
    exactly("R11", "bypasses of a token lockout (/oauth2/token × 6)", bypasses.token, 0),
    exactly("R11", "encodings reaching the hook route when served (control)", routed, ENCODINGS.length * 2),
  ];
  for (const e of examples) figures.push(info("R11", "example not refused", e));
  return figures;
}
