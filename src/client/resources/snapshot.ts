/**
 * `GET /api/v2` (the capabilities a server advertises) and `GET /snapshot`: the whole tenant as NDJSON
 * at one revision (docs/api.md "Snapshot"). A stream that ends without its `end` line, or whose count
 * differs, is incomplete (the connection dropped, or a write landed while the server read it): the
 * read is made again, a bounded number of times, then fails naming what was missing.
 */
import { NetworkError } from "../../errors.js";
import type { CapabilitiesReader } from "../capabilities.js";
import type { Requester } from "../request-types.js";

/** Reads of a snapshot that came back incomplete before `read` gives up. */
const INCOMPLETE_ATTEMPTS = 3;

export interface SnapshotAction {
  /** The action as `GET /dataactions/{id}` answers it. */
  action: Record<string, unknown> & { id: string; name: string };
  /** As `GET …/variables` answers it, without `actionId`: secrets carry no value. */
  variables: { version: number; variables: Record<string, unknown>[] };
  /** Per environment id, as `GET …/environments/{envId}/variables`: masked values are `"***"`. */
  overrides: Record<string, { version: number; variables: Record<string, unknown>[] }>;
}

export interface Snapshot {
  revision: number;
  environments: { id: string; name: string; order: number; buildOnChange: boolean }[];
  actions: SnapshotAction[];
  globals: { version: number; variables: Record<string, unknown>[] };
}

export interface SnapshotResource {
  /** The server's capabilities (read once per client); `[]` from a server without `GET /api/v2`. */
  capabilities(): Promise<string[]>;
  /** True when the server advertises `snapshot`. */
  available(): Promise<boolean>;
  /** The whole tenant in one request. */
  read(): Promise<Snapshot>;
}

export class IncompleteSnapshotError extends NetworkError {}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a snapshot stream's text, line by line; throws IncompleteSnapshotError when it is not whole. */
export function parseSnapshot(text: string): Snapshot {
  const incomplete = (what: string) =>
    new IncompleteSnapshotError(
      `The snapshot is incomplete: ${what}. The connection dropped or the tenant changed while it was read; read it again.`,
    );
  let header: Json | undefined;
  let globals: Snapshot["globals"] | undefined;
  let end: Json | undefined;
  const actions: SnapshotAction[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    // A last line without its newline was cut off mid-way.
    if (newline === -1) throw incomplete(`line ${lineNo + 1} ends without a newline`);
    const line = text.slice(start, newline);
    start = newline + 1;
    lineNo += 1;
    if (line.trim() === "") continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      throw incomplete(`line ${lineNo} is not JSON`);
    }
    if (!isRecord(doc)) throw incomplete(`line ${lineNo} is not a JSON object`);
    if (end !== undefined) throw incomplete(`line ${lineNo} follows the end line`);
    if (lineNo === 1 && doc.kind !== "header") throw incomplete("the first line is not the header");
    switch (doc.kind) {
      case "header":
        header = doc;
        break;
      case "action":
        actions.push(doc as unknown as SnapshotAction);
        break;
      case "globals":
        globals = doc.variables as Snapshot["globals"];
        break;
      case "end":
        end = doc;
        break;
      default:
        // A kind this client does not know yet is skipped, so servers can add lines.
        break;
    }
  }
  if (header === undefined) throw incomplete("it is empty");
  if (end === undefined) throw incomplete(`it stops after ${lineNo} lines without its end line`);
  if (end.actions !== actions.length)
    throw incomplete(`its end line counts ${String(end.actions)} actions, but ${actions.length} came`);
  if (globals === undefined) throw incomplete("the globals line is missing");
  return {
    revision: Number(header.revision),
    environments: (header.environments ?? []) as Snapshot["environments"],
    actions,
    globals,
  };
}

export function snapshotResource(client: Requester, capabilities: CapabilitiesReader): SnapshotResource {
  const resource: SnapshotResource = {
    capabilities: () => capabilities.list(),
    available: () => capabilities.has("snapshot"),
    async read() {
      for (let attempt = 1; ; attempt++) {
        const res = await client.request<string>("GET", "/snapshot", {
          headers: { accept: "application/x-ndjson" },
          responseType: "text",
        });
        try {
          return parseSnapshot(res.body);
        } catch (error) {
          if (!(error instanceof IncompleteSnapshotError) || attempt >= INCOMPLETE_ATTEMPTS) throw error;
        }
      }
    },
  };
  return resource;
}
