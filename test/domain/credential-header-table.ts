/**
 * The one table of headers every consumer of `isCredentialHeader` is walked with (issue 14 item 1):
 * the predicate itself, the redactor, the planner, export, at-rest sealing and the test-run render.
 * Each value is unique and long enough to be searched for in files (the database, a plan, an export).
 * `settable: false` rows are names the API refuses to store (reserved headers): pure checks only.
 */
export interface HeaderRow {
  name: string;
  value: string;
  credential: boolean;
  why: string;
  settable?: false;
}

export const HEADER_TABLE: readonly HeaderRow[] = [
  // By name.
  { name: "Authorization", value: "Bearer tbl-authz-0a1b2c3d", credential: true, why: "name" },
  { name: "X-Session-Key", value: "tbl-session-key-4e5f", credential: true, why: "name: key, session" },
  { name: "X-Signature", value: "tbl-signature-6a7b", credential: true, why: "name: signature" },
  { name: "X-Api-Key", value: "tbl-api-key-8c9d", credential: true, why: "name: key" },
  { name: "X-Auth-Token", value: "tbl-auth-token-1e2f", credential: true, why: "name: token, auth" },
  { name: "x-client-secret", value: "tbl-client-secret-3a4b", credential: true, why: "name: secret" },
  { name: "X-Password", value: "tbl-password-5c6d", credential: true, why: "name: password" },
  { name: "X-Hub-Sig", value: "tbl-hub-sig-7e8f", credential: true, why: "name: sig as a word" },
  { name: "Cookie", value: "theme=tbl-cookie-9a0b", credential: true, why: "name: cookie" },
  { name: "Set-Cookie", value: "id=tbl-set-cookie-1c2d", credential: true, why: "name: cookie" },
  {
    name: "Proxy-Authorization",
    value: "Basic dGJsLXByb3h5OnB3",
    credential: true,
    why: "name (reserved, never stored)",
    settable: false,
  },
  // By value shape, whatever the header is called.
  { name: "X-Upstream-Creds", value: "Bearer tbl-upstream-3e4f5a", credential: true, why: "value: Bearer" },
  { name: "X-Forward", value: "Basic dGJsLWZvcndhcmQ6cHc=", credential: true, why: "value: Basic" },
  { name: "X-Legacy", value: "Token tbl9944b09199c62bcf", credential: true, why: "value: Token scheme" },
  {
    name: "X-Context",
    value: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0YmwtY29udGV4dCJ9.tbl-ctx-sig",
    credential: true,
    why: "value: JWT",
  },
  {
    name: "X-Upstream",
    value: "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    credential: true,
    why: "value: high entropy",
  },
  { name: "X-Tenant-Ref", value: "9f86d081884c7d659a2feaa0c55ad015", credential: true, why: "value: 32 hex" },
  {
    name: "X-Extra",
    value: "mode=fast; session=tbl-extra-5b6c",
    credential: true,
    why: "value: session= pair",
  },
  // Plain: shown, exported and stored as they are.
  { name: "Accept", value: "application/vnd.tbl+json", credential: false, why: "media type" },
  { name: "X-Source", value: "cxda-demo-2024-release-candidate", credential: false, why: "words and a year" },
  { name: "X-Request-Id", value: "tbl-request-12345", credential: false, why: "short identifier" },
  { name: "X-Region", value: "tbl-eu-west-1", credential: false, why: "region" },
  { name: "X-Note", value: "Token bucket tbl-note", credential: false, why: "a scheme word in prose" },
  { name: "Idempotency-Key", value: "tbl-order-42", credential: false, why: "audited by design" },
  { name: "X-Callback", value: "crm.example.com/tbl/v2/leads", credential: false, why: "a host and path" },
];
