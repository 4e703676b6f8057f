/**
 * Runs the built emulator in its own process so the load generator never shares its event loop.
 * argv[2]: JSON options for startEmulator (port 0 and in-memory are forced). IPC messages:
 * → {type:"ready", url} once listening; ← "memory" → {type:"memory", rss, heapUsed}; ← "close".
 */
import { startEmulator } from "../../dist/emulator/server.js";

const options = JSON.parse(process.argv[2] ?? "{}");
const emulator = await startEmulator({ ...options, host: "127.0.0.1", port: 0, inMemory: true });

process.on("message", async (message) => {
  if (message === "memory") {
    globalThis.gc?.();
    const usage = process.memoryUsage();
    process.send({ type: "memory", rss: usage.rss, heapUsed: usage.heapUsed });
  } else if (message === "close") {
    await emulator.close();
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ type: "ready", url: emulator.url });
