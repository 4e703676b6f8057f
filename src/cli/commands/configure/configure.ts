import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { Document, parseDocument } from "yaml";
import { ValidationError } from "../../../errors.js";
import { makePrivateDirs, writePrivateFile } from "../../../files/private-files.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import { loadProfiles, type Profile, parseProfile } from "../../settings.js";
import { promptStream } from "../../ui/terminal.js";
import type { configureSpec } from "./index.js";

/** Asks on the terminal; `hidden` answers are not echoed. */
async function asker(output: NodeJS.WritableStream) {
  let muted = false;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output: sink, terminal: true });
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  rl.on("line", (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else lines.push(line);
  });
  return {
    async ask(question: string, hidden = false): Promise<string> {
      output.write(question);
      muted = hidden;
      const line = lines.shift() ?? (await new Promise<string>((resolve) => (waiting = resolve)));
      muted = false;
      if (hidden) output.write("\n");
      return line.trim();
    },
    close: () => rl.close(),
  };
}

function firstLineOfStdin(): string {
  const text = readFileSync(0, "utf8");
  return (text.split(/\r?\n/)[0] ?? "").trim();
}

export const run: Handler<typeof configureSpec> = async (ctx, { options }) => {
  const env = process.env;
  const name = ctx.flags.profile ?? env.CXDA_PROFILE ?? "default";
  const { path, profiles } = loadProfiles(env);
  const current: Profile = profiles[name] ?? {};
  const next: Record<string, unknown> = { ...current };
  const given = ctx.flags.baseUrl ?? ctx.flags.clientId ?? ctx.flags.auditLog;
  const prompt = given === undefined && options.clientSecretStdin !== true ? promptStream() : undefined;
  if (prompt) {
    const io = await asker(prompt);
    try {
      const keep = (v: string | undefined) => (v ? ` [${v}]` : "");
      next.baseUrl = (await io.ask(`API base URL${keep(current.baseUrl)}: `)) || current.baseUrl;
      next.clientId = (await io.ask(`Client id${keep(current.clientId)}: `)) || current.clientId;
      const secret = await io.ask(
        `Client secret${current.clientSecret ? " [keep the current one]" : ""} (not shown): `,
        true,
      );
      next.clientSecret = secret || current.clientSecret;
    } finally {
      io.close();
    }
  } else {
    if (ctx.flags.baseUrl !== undefined) next.baseUrl = ctx.flags.baseUrl;
    if (ctx.flags.clientId !== undefined) next.clientId = ctx.flags.clientId;
    if (ctx.flags.auditLog !== undefined) next.auditLog = ctx.flags.auditLog;
    const secret = options.clientSecretStdin === true ? firstLineOfStdin() : env.CXDA_CLIENT_SECRET;
    if (secret !== undefined && secret !== "") next.clientSecret = secret;
    if (given === undefined && options.clientSecretStdin !== true && env.CXDA_CLIENT_SECRET === undefined)
      throw new ValidationError(
        "nothing to configure: not a terminal, and no --base-url, --client-id, --audit-log or --client-secret-stdin; give them as flags",
      );
  }
  for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === "") delete next[key];
  const profile = parseProfile(next);
  ctx.redactor.register(profile.clientSecret);
  // An existing file keeps its comments and other profiles; a new one is written in block style.
  const doc = existsSync(path)
    ? parseDocument(readFileSync(path, "utf8"))
    : new Document({ profiles: { [name]: profile } });
  if (!doc.has("profiles")) doc.set("profiles", doc.createNode({}));
  doc.setIn(["profiles", name], doc.createNode(profile));
  makePrivateDirs(dirname(path));
  writePrivateFile(path, doc.toString());
  const fields = Object.keys(profile).filter((k) => !/secret/i.test(k));
  if (ctx.out.json) ctx.out.result({ profile: name, path, fields: Object.keys(profile) });
  else
    ctx.out.line(
      `profile '${name}' written to ${path}: ${fields.join(", ")}${profile.clientSecret ? ", clientSecret (not shown)" : ""}`,
    );
  return EXIT.ok;
};
