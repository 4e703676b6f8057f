#!/usr/bin/env node
// Writes docs/openapi.json from the built emulator (`npm run openapi` builds first). A test fails when
// the committed file differs from what the sources generate (test/emulator/openapi-document.test.ts).
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { openApiJson } from "../dist/emulator/openapi/document.js";

const target = resolve(import.meta.dirname, "../docs/openapi.json");
writeFileSync(target, openApiJson());
console.log(`wrote ${target}`);
