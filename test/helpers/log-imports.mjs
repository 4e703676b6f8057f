// Registered with `node --import`: appends every module the process resolves to the file named by
// IMPORT_LOG, synchronously (the hook thread's stderr may be cut off when a short command exits).
import { register } from "node:module";

const hook = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.IMPORT_LOG, result.url + "\\n");
  return result;
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);
