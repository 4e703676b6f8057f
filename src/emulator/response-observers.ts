/**
 * A test hook (docs/emulator.md "Test hooks"): functions called with every response the emulator
 * sends, after its headers are final. The test suite registers one that checks each response against
 * docs/openapi.json (test/setup/contract-check.ts). Nobody registers one in production, where the cost
 * is one size check per response.
 */
export interface ResponseExchange {
  method: string;
  /** The normalised request path, without the query. */
  path: string;
  /** The route that answered, as fastify spells it (`/api/v2/dataactions/:id`); undefined when none did. */
  route: string | undefined;
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /** The body as sent, or undefined when there is none or it is streamed. */
  body: string | undefined;
  /** An injected fault chose this answer's status (any status may then appear). */
  faulted: boolean;
}

export type ResponseObserver = (exchange: ResponseExchange) => void;

export const responseObservers = new Set<ResponseObserver>();
