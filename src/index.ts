export type { ValidationIssue, ValidationResult } from "./domain/validation-result.js";
export * from "./errors.js";
