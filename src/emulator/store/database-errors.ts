/**
 * What the store throws when its database does not answer (a PostgreSQL connection lost or refused):
 * the server answers 503 with Retry-After, never 500, and the store reconnects on a later call.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  /** Seconds a client should wait before retrying. */
  readonly retryAfterSeconds = 1;
}

/** The connection string with its password replaced by `***`, for messages and logs. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    for (const key of [...parsed.searchParams.keys()])
      if (key.toLowerCase() === "password") parsed.searchParams.set(key, "***");
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  }
}
