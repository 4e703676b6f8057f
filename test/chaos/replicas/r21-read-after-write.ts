/**
 * R21: a read through one replica right after a write the other replica acknowledged, while the
 * replicas' invalidation listeners lag (`PUT /_emulator/invalidation-lag`: LISTEN/NOTIFY arrives in
 * about a millisecond on one machine, so without a lag a stale read would hardly ever be caught).
 * Writers read their own action through one replica (which keeps it in memory), edit it through the
 * other and read it back at once through the first (each edit in turn in either direction), first with both replicas 100 ms late, then with one replica 10 s
 * late (longer than a writer waits for it: it must read the database instead of its caches); tokens
 * are revoked through one replica and tried at once on the other, which had verified them before.
 * No read shows a version older than the acknowledged write, no answer carries an X-Tenant-Revision
 * below the write's, and no revoked token is accepted.
 */
import { Agent, request } from "undici";
import { actionInput, exactly, type Figure, info, pool } from "../harness.js";
import type { ChaosSize } from "../sizes.js";
import type { ReplicaChaosRun } from "./replica-run.js";

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  revision: number;
}

export async function runR21(run: ReplicaChaosRun, size: ChaosSize): Promise<Figure[]> {
  const { set } = await run.replicated();
  const agent = new Agent({ connections: 32 });
  const [first, second] = set.live();
  if (first === undefined || second === undefined) throw new Error("R21 needs two live replicas");
  const send = async (
    base: string,
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await request(`${base}${path}`, {
      method: method as "GET",
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      revision: Number(res.headers["x-tenant-revision"] ?? Number.NaN),
    };
  };
  const basic = `Basic ${Buffer.from(`chaos-raw:${run.clientSecrets.raw}`).toString("base64")}`;
  const form = async (base: string, path: string, fields: Record<string, string>) => {
    const res = await request(`${base}${path}`, {
      method: "POST",
      dispatcher: agent,
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const lag = async (base: string, delayMs: number) => {
    const res = await request(`${base}/_emulator/invalidation-lag`, {
      method: "PUT",
      dispatcher: agent,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ delayMs }),
    });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`R21: invalidation-lag answered ${res.statusCode}`);
  };
  const newToken = async (base: string) => {
    const res = await form(base, "/oauth2/token", { grant_type: "client_credentials" });
    if (res.status !== 200) throw new Error(`R21: token request answered ${res.status}`);
    return String(res.body?.access_token);
  };

  try {
    const token = await newToken(first.url);
    const owned: { id: string; version: number }[] = [];
    for (let w = 0; w < size.r21Writers; w++) {
      const created = await send(first.url, "POST", "/api/v2/dataactions", token, actionInput(`r21_${w}`));
      if (created.status !== 201) throw new Error(`R21: create answered ${created.status}`);
      owned.push({ id: String(created.body?.id), version: Number(created.body?.version) });
    }
    let staleVersions = 0;
    let staleRevisions = 0;
    let failed = 0;
    let edits = 0;
    /**
     * `writers` writers each edit their action `rounds` times, reading each edit back through the other
     * replica: in turn in either direction, or always written through `towards[0]` and read through `towards[1]`.
     */
    const editAndRead = (writers: number, rounds: number, towards?: [typeof first, typeof first]) =>
      pool(writers, writers, async (w) => {
        const action = owned[w]!;
        const path = `/api/v2/dataactions/${action.id}`;
        for (let k = 0; k < rounds; k++) {
          const [writer, reader] = towards ?? ((w + k) % 2 === 0 ? [first, second] : [second, first]);
          // The reader holds the current version in memory before the other replica changes it.
          if ((await send(reader.url, "GET", path, token)).status !== 200) failed += 1;
          const edit = await send(
            writer.url,
            "PATCH",
            path,
            token,
            { description: `edit ${edits}` },
            { "if-match": `"${action.version}"` },
          );
          edits += 1;
          if (edit.status !== 200) {
            failed += 1;
            return;
          }
          action.version = Number(edit.body?.version);
          const read = await send(reader.url, "GET", path, token);
          if (read.status !== 200) failed += 1;
          else if (Number(read.body?.version) < action.version) staleVersions += 1;
          if (!(read.revision >= edit.revision)) staleRevisions += 1;
        }
      });
    // Both replicas' listeners 100 ms late: every write waits for the other's acknowledgement.
    await lag(first.url, 100);
    await lag(second.url, 100);
    await editAndRead(size.r21Writers, Math.ceil(size.r21Edits / size.r21Writers));
    let acceptedAfterRevocation = 0;
    const slowEdits = edits;
    for (let r = 0; r < size.r21Revocations; r++) {
      const [issuer, other] = r % 2 === 0 ? [first, second] : [second, first];
      const doomed = await newToken(issuer.url);
      // The other replica verifies it, and keeps it in memory.
      if ((await send(other.url, "GET", "/api/v2/dataactions?pageSize=1", doomed)).status !== 200)
        failed += 1;
      const revoked = await form(issuer.url, "/oauth2/revoke", { token: doomed });
      if (revoked.status !== 200) failed += 1;
      if ((await send(other.url, "GET", "/api/v2/dataactions?pageSize=1", doomed)).status !== 401)
        acceptedAfterRevocation += 1;
    }

    // One replica 10 s late, far past the 1 s in which it trusts its caches and the 2 s a writer waits
    // for it (so that no earlier edit's invalidation, acted on meanwhile, can hide a stale read).
    await lag(first.url, 0);
    await lag(second.url, 10_000);
    // One edit at a time, each written through the prompt replica and read through the late one.
    await editAndRead(1, size.r21LateRounds, [first, second]);
    await lag(second.url, 0);

    return [
      exactly("R21", "reads older than the write the other replica acknowledged", staleVersions, 0),
      exactly("R21", "answers with an X-Tenant-Revision below the write's", staleRevisions, 0),
      exactly("R21", "revoked tokens accepted by the other replica", acceptedAfterRevocation, 0),
      exactly("R21", "requests that failed", failed, 0),
      info("R21", "edits read back through the other replica, listeners 100 ms late", slowEdits),
      info("R21", "tokens revoked through one replica, tried on the other", size.r21Revocations),
      info("R21", "edits read back, one listener 10 s late", edits - slowEdits),
    ];
  } finally {
    await agent.close();
  }
}
