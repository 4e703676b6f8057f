/** Every command group, in the order `cxda --help` lists them. One line per group. */
import type { RegisterGroup } from "../program.js";
import { registerActions } from "./actions.js";
import { registerAudit } from "./audit.js";
import { registerAuth } from "./auth.js";
import { registerBuilds } from "./builds.js";
import { registerDatetime } from "./datetime.js";
import { registerDrift } from "./drift.js";
import { registerEmulator } from "./emulator.js";
import { registerHeaders } from "./headers.js";
import { registerOverrides } from "./overrides.js";
import { registerProject } from "./project.js";
import { registerVars } from "./vars.js";

export const COMMAND_GROUPS: RegisterGroup[] = [
  registerEmulator,
  registerAuth,
  registerActions,
  registerHeaders,
  registerVars,
  registerOverrides,
  registerDrift,
  registerBuilds,
  registerDatetime,
  registerProject,
  registerAudit,
];
