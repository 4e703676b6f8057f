/**
 * Several emulator replicas on one PostgreSQL database behind the round-robin proxy, for the replica
 * tests and chaos scenarios: each replica is the built CLI (`node dist/cli/bin.cjs emulator start
 * --database … --replica-id rN`) in its own process, sharing one root key (CXDA_EMULATOR_ROOT_KEY) and
 * one config file, as an operator would run them.
 *
 * In front: an HTTP server on 127.0.0.1 port 0 that hands API requests to the proxy
 * (`createRoundRobinProxy`, what `cxda emulator proxy` runs) and answers the test hooks itself, since
 * those are per replica: a PUT or POST goes to every live replica (faults, reset), and
 * `GET /_emulator/requests` merges every replica's log (each entry tagged with its replica). A fault
 * rule with a `count` (drop the next POST, once) counts for the whole set: this front applies it to
 * the matching requests itself, as their `X-Emulator-Fault` header, instead of giving each replica a count.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { request as httpRequest } from "undici";
import type { EmulatorConfigInput } from "../../../src/emulator/config.js";
import { createRoundRobinProxy } from "../../../src/emulator/replicas/round-robin-proxy.js";

export const CLI = resolve(import.meta.dirname, "../../../dist/cli/bin.cjs");

export interface ReplicaProcess {
  id: string;
  url: string;
  child: ChildProcess;
  /** Its standard error so far (access log off; warnings and crashes). */
  stderr: () => string;
  exited: Promise<number | null>;
}

export interface ReplicaSetOptions {
  databaseUrl: string;
  replicas?: number;
  config: EmulatorConfigInput;
  /** Extra flags for every replica. */
  flags?: string[];
}

export class ReplicaSet {
  readonly replicas: ReplicaProcess[] = [];
  url = "";
  private server: http.Server | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "cxda-replicas-"));
  private readonly configFile = join(this.dir, "emulator.json");
  private readonly rootKey = randomBytes(32).toString("hex");
  private proxyAgent: http.Agent | undefined;

  private constructor(private readonly options: ReplicaSetOptions) {
    writeFileSync(this.configFile, JSON.stringify(options.config), { mode: 0o600 });
  }

  static async start(options: ReplicaSetOptions): Promise<ReplicaSet> {
    const set = new ReplicaSet(options);
    try {
      // One first, so migrations are not the subject here; the rest at once.
      set.replicas.push(await set.spawnReplica(0));
      const rest = await Promise.all(
        Array.from({ length: (options.replicas ?? 2) - 1 }, (_, i) => set.spawnReplica(i + 1)),
      );
      set.replicas.push(...rest);
      await set.listen();
      return set;
    } catch (error) {
      await set.close();
      throw error;
    }
  }

  /** Starts replica `index` (again, after a kill), on a new port; the proxy follows. */
  async restart(index: number): Promise<ReplicaProcess> {
    const replica = await this.spawnReplica(index);
    this.replicas[index] = replica;
    this.rebuildProxy();
    return replica;
  }

  /** SIGKILL: no drain, no closing of anything; in-flight requests die with the process. */
  async kill(index: number): Promise<void> {
    const replica = this.replicas[index]!;
    replica.child.kill("SIGKILL");
    await replica.exited;
  }

  live(): ReplicaProcess[] {
    return this.replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (r) => {
        if (r.child.exitCode === null && r.child.signalCode === null) {
          r.child.kill("SIGTERM");
          const timer = setTimeout(() => r.child.kill("SIGKILL"), 15_000);
          await r.exited;
          clearTimeout(timer);
        }
      }),
    );
    if (this.server) {
      const server = this.server;
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    }
    this.proxyAgent?.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => {};

  private rebuildProxy(): void {
    this.proxyAgent?.destroy();
    const proxy = createRoundRobinProxy({ replicas: this.replicas.map((r) => r.url), downForMs: 500 });
    this.proxyAgent = proxy.agent;
    this.handle = proxy.handle;
  }

  private async listen(): Promise<void> {
    this.rebuildProxy();
    const server = http.createServer((req, res) => {
      if ((req.url ?? "").startsWith("/_emulator/")) this.testHook(req, res).catch(() => res.destroy());
      else {
        const rule = this.counted.find((r) => r.count > 0 && r.matches(req.method ?? "", req.url ?? ""));
        if (rule) {
          rule.count -= 1;
          req.headers["x-emulator-fault"] = rule.header;
        }
        this.handle(req, res);
      }
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private counted: CountedRule[] = [];

  private async testHook(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (req.method === "PUT" && req.url === "/_emulator/faults") {
      const rules = (JSON.parse(body.toString()) as { rules: FaultRule[] }).rules;
      this.counted = rules.filter((r) => r.count != null).map(countedRule);
      body = Buffer.from(JSON.stringify({ rules: rules.filter((r) => r.count == null) }));
    } else if (req.method === "POST" && req.url === "/_emulator/reset") this.counted = [];
    const method = req.method ?? "GET";
    const targets =
      method === "GET" && req.url !== "/_emulator/requests" ? this.live().slice(0, 1) : this.live();
    const answers = await Promise.all(
      targets.map(async (r) => {
        const answer = await httpRequest(`${r.url}${req.url}`, {
          method: method as "GET",
          ...(body.length > 0
            ? { body, headers: { "content-type": String(req.headers["content-type"]) } }
            : {}),
        });
        return { replica: r.id, status: answer.statusCode, text: await answer.body.text() };
      }),
    );
    const first = answers[0]!;
    let text = first.text;
    if (method === "GET" && req.url === "/_emulator/requests") {
      const requests = answers.flatMap((a) =>
        (JSON.parse(a.text) as { requests: { timestamp: number }[] }).requests.map((e) => ({
          ...e,
          replica: a.replica,
        })),
      );
      requests.sort((a, b) => a.timestamp - b.timestamp);
      text = JSON.stringify({ requests, dropped: 0 });
    }
    res.writeHead(first.status, text === "" ? {} : { "content-type": "application/json" });
    res.end(text);
  }

  private spawnReplica(index: number): Promise<ReplicaProcess> {
    const id = `r${index}`;
    const child = spawn(
      process.execPath,
      [
        CLI,
        "emulator",
        "start",
        "--port",
        "0",
        "--replica-id",
        id,
        "--config",
        this.configFile,
        "--database",
        this.options.databaseUrl,
        "--log-level",
        "silent",
        ...(this.options.flags ?? []),
      ],
      {
        env: { ...process.env, CXDA_EMULATOR_ROOT_KEY: this.rootKey, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        fail(new Error(`replica ${id} did not start in 30 s:\n${stderr}`));
      }, 30_000);
      child.stdout!.on("data", (d) => {
        stdout += String(d);
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          done({ id, url: m[1]!, child, stderr: () => stderr, exited });
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`replica ${id} exited (${code}) before it listened:\n${stderr}`));
      });
    });
  }
}

interface FaultRule {
  method?: string;
  path: string;
  status?: number | null;
  retryAfter?: number | null;
  drop?: boolean;
  count?: number | null;
}

interface CountedRule {
  count: number;
  header: string;
  matches(method: string, url: string): boolean;
}

/** A counted rule as an X-Emulator-Fault header (drop or status) and a matcher of method and path. */
function countedRule(rule: FaultRule): CountedRule {
  const header = rule.drop
    ? "drop"
    : `status=${rule.status}${rule.retryAfter == null ? "" : `;retry-after=${rule.retryAfter}`}`;
  const pattern = new RegExp(
    `^${rule.path
      .split("/")
      .map((part) =>
        part === "**" ? ".*" : part === "*" ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/")}$`,
  );
  return {
    count: rule.count ?? 0,
    header,
    matches: (method, url) =>
      (rule.method === undefined || rule.method === method) && pattern.test(url.split("?")[0] ?? ""),
  };
}
