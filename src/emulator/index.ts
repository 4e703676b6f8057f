/**
 * The `cxda/emulator` entry point: the local emulator of the Data Actions API. It loads fastify and the
 * native SQLite module, which is why the SDK (`cxda`) does not import it.
 */

export {
  type ResponseExchange,
  type ResponseObserver,
  responseObservers,
} from "./response-observers.js";
export {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "./server.js";
