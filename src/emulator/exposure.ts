/**
 * Who may reach the emulator: loopback peers and binds, the refusal to serve the published demo client
 * on a network address, and whether the `/_emulator` test hooks are on.
 */
import { ValidationError } from "../errors.js";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type EmulatorConfig } from "./config.js";
import { isLoopbackHost } from "./loopback.js";

export { isLoopbackAddress, isLoopbackHost } from "./loopback.js";

export interface Exposure {
  /** The bind is reachable from other machines. */
  network: boolean;
  testHooks: boolean;
  warnings: string[];
}

/**
 * A network bind needs clients from a config file (the demo client's secret is published) and keeps
 * the test hooks off unless asked; a loopback bind serves both as before.
 */
export function decideExposure(options: {
  host: string;
  config: EmulatorConfig;
  configGiven: boolean;
  testHooks?: boolean;
}): Exposure {
  const network = !isLoopbackHost(options.host);
  if (!network) return { network, testHooks: options.testHooks ?? true, warnings: [] };
  const demo = options.config.tenants
    .flatMap((t) => t.clients)
    .find((c) => c.id === DEMO_CLIENT_ID || c.secret === DEMO_CLIENT_SECRET);
  if (!options.configGiven || demo)
    throw new ValidationError(
      `Refusing to listen on ${options.host}: ${
        options.configGiven
          ? `the config's client "${demo?.id}" uses the built-in demo client's id or published secret`
          : `the built-in demo client (${DEMO_CLIENT_ID}, whose secret is published) would give every scope`
      } to anyone who can reach this address. Pass --config FILE with your own clients and secrets, or bind 127.0.0.1.`,
      { slug: "validation-failed" },
    );
  const testHooks = options.testHooks ?? false;
  return {
    network,
    testHooks,
    warnings: [
      `the emulator listens on ${options.host}, reachable from the network: it is a test server, so serve it to trusted networks only` +
        (testHooks
          ? "; test hooks are on (--test-hooks) for loopback clients."
          : "; the /_emulator test hooks are off (--test-hooks turns them on for loopback clients)."),
    ],
  };
}
