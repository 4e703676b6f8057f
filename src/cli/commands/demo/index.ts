/** `cxda demo`: every workflow against an embedded emulator (what `npm start` runs). */
import { bind, defineCommand } from "../../command.js";

export const spec = defineCommand({ name: "demo", examples: ["cxda demo", "npm start"] });

export const demo = bind(spec, () => import("./demo.js"));
