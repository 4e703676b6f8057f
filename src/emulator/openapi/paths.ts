/** Where the emulator serves its own description (routes/openapi.ts) and what the document lists. */
export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PATH = "/docs";
export const DOCS_SCRIPT_PATH = "/docs/api-reference.js";
