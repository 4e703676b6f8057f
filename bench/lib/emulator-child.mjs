/**
 * Runs the built emulator in its own process so the load generator never shares its event loop.
 * argv[2]: JSON options for startEmulator (port 0 forced; in memory unless a dataDir or a database is given). IPC messages:
 * → {type:"ready", url} once listening; ← "memory" → {type:"memory", rss, heapUsed}; ← "close";
 * ← {type:"seed", fromId, count} → {type:"seeded", count}: `count` copies of the stored action `fromId`
 * (new id, name and timestamps), written through the emulator's store in transactions of 1 000 — for
 * tenants of 100 000 actions, which creating one by one over HTTP takes half an hour on these machines.
 */
import { randomUUID } from "node:crypto";
import { startEmulator } from "../../dist/emulator/server.js";

const options = JSON.parse(process.argv[2] ?? "{}");
// In memory unless the options name a data directory (B10 holds a million revisions on disk).
const emulator = await startEmulator({
  ...options,
  host: "127.0.0.1",
  port: 0,
  ...(options.dataDir === undefined && options.database === undefined ? { inMemory: true } : {}),
});

process.on("message", async (message) => {
  if (message === "cpu") {
    process.send({ type: "cpu", ...process.cpuUsage() });
  } else if (message === "memory") {
    globalThis.gc?.();
    const usage = process.memoryUsage();
    process.send({ type: "memory", rss: usage.rss, heapUsed: usage.heapUsed });
  } else if (message?.type === "seed") {
    const { store } = emulator;
    const template = emulator.config.tenants
      .map((t) => store.actions.get(t.id, message.fromId))
      .find((a) => a !== undefined);
    if (template === undefined) throw new Error(`seed: no action ${message.fromId}`);
    const doc = JSON.parse(template.doc);
    for (let done = 0; done < message.count; ) {
      store.transaction(() => {
        for (const end = Math.min(message.count, done + 1000); done < end; done += 1) {
          const id = randomUUID();
          const name = `seeded_${String(done).padStart(6, "0")}`;
          const created = template.createdTimestamp + done;
          store.actions.insert({
            ...template,
            id,
            name,
            createdTimestamp: created,
            modifiedTimestamp: created,
            doc: JSON.stringify({ ...doc, id, name, createdTimestamp: created, modifiedTimestamp: created }),
          });
        }
      });
    }
    process.send({ type: "seeded", count: message.count });
  } else if (message?.type === "revise") {
    // `count` new versions of every action of the tenants, each a stored write (B10: revisions at scale).
    const { store } = emulator;
    for (const tenant of emulator.config.tenants) {
      const ids = [];
      for (let offset = 0; ; offset += 1000) {
        const { rows } = store.actions.list(tenant.id, { offset, limit: 1000 });
        ids.push(...rows.map((r) => r.id));
        if (rows.length < 1000) break;
      }
      for (let round = 0; round < message.count; round += 1)
        for (let start = 0; start < ids.length; start += 1000)
          store.transaction(() => {
            for (const id of ids.slice(start, start + 1000)) {
              const current = store.actions.get(tenant.id, id);
              const doc = JSON.parse(current.doc);
              const version = current.version + 1;
              store.actions.update({
                ...current,
                version,
                doc: JSON.stringify({ ...doc, version, description: `revision ${version}` }),
              });
            }
          });
    }
    process.send({ type: "revised", count: message.count });
  } else if (message === "close") {
    await emulator.close();
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ type: "ready", url: emulator.url });
