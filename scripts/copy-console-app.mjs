// `npm run build` runs this after tsc: the console's front end (plain ES modules, HTML and CSS, no
// build of their own) goes beside the compiled server, dist/console/app/, where it serves them from.
import { cpSync, rmSync } from "node:fs";

rmSync("dist/console/app", { recursive: true, force: true });
cpSync("src/console/app", "dist/console/app", { recursive: true });
