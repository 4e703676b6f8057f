/**
 * B5's floor for `cxda validate` of examples/contact-center: the four libraries its checks need, doing the
 * least of the same work: parse the file with positions (yaml), one zod object over it, the grammar of its
 * four scripts (acorn) and one date in a named time zone (Temporal, which loads ICU's zone data).
 * b5-cli-startup.mjs bundles this with esbuild, as the CLI is bundled, and runs it as a process.
 */
import { readFileSync } from "node:fs";
import { parse } from "acorn";
import { Temporal } from "temporal-polyfill";
import { parseDocument } from "yaml";
import { z } from "zod";

const dir = process.argv[2];
const file = z.looseObject({ apiVersion: z.string(), actions: z.record(z.string(), z.looseObject({})) });
file.parse(parseDocument(readFileSync(`${dir}/cxda.yaml`, "utf8")).toJS());
for (const script of ["normalize_phone", "lead_score", "route_to_queue", "callback_scheduler"])
  parse(readFileSync(`${dir}/scripts/${script}.js`, "utf8"), { ecmaVersion: 2022, sourceType: "script" });
Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO("America/New_York").add({ minutes: 120 });
