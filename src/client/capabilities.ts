/**
 * What the server advertises in `GET /api/v2` (docs/api.md "Capabilities"), read once per client and
 * shared by every resource that depends on one: a feature is used only when it is listed.
 */
import type { ApiIndex, Capability } from "../domain/capabilities.js";
import { NotFoundError } from "../errors.js";
import type { Requester } from "./request-types.js";

export interface CapabilitiesReader {
  /** The advertised names; `[]` from a server without `GET /api/v2`. A failed read is tried again next time. */
  list(): Promise<string[]>;
  has(name: Capability): Promise<boolean>;
}

export function capabilitiesReader(client: Requester): CapabilitiesReader {
  let read: Promise<string[]> | undefined;
  const reader: CapabilitiesReader = {
    list() {
      read ??= client.request<ApiIndex>("GET", "").then(
        (res) => (Array.isArray(res.body?.capabilities) ? res.body.capabilities : []),
        (error: unknown) => {
          read = undefined;
          // A server from before capabilities has no `GET /api/v2`.
          if (error instanceof NotFoundError) return [];
          throw error;
        },
      );
      return read;
    },
    async has(name) {
      return (await reader.list()).includes(name);
    },
  };
  return reader;
}
