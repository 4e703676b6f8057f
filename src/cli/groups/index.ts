/** Every command group, in the order `cxda --help` lists them. One line per group. */
import type { RegisterGroup } from "../program.js";
import { registerActions } from "./actions.js";
import { registerAudit } from "./audit.js";
import { registerAuth } from "./auth.js";
import { registerDatetime } from "./datetime.js";
import { registerEmulator } from "./emulator.js";
import { registerHeaders } from "./headers.js";
import { registerVars } from "./vars.js";
import { registerVars } from "./vars.js";

export const COMMAND_GROUPS: RegisterGroup[] = [
  registerEmulator,
  registerAuth,
  registerActions,
  registerHeaders,
  registerVars,
  registerVars,
  registerDatetime,
  registerAudit,
];
