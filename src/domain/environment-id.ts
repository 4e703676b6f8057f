/** An environment id (docs: GET /api/v2/environments): `dev`, `staging`, `prod`, … */
export const ENVIRONMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The rule in words, for messages: "… is not an environment id (<rule>)". */
export const ENVIRONMENT_ID_RULE = "1–64 characters from A–Z, a–z, 0–9, '_' and '-'";

export function isEnvironmentId(value: unknown): value is string {
  return typeof value === "string" && ENVIRONMENT_ID.test(value);
}
