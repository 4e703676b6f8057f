/** Loopback names and addresses (no imports: the config, exposure and issuer rules all use them). */

/** A peer address as a socket reports it (`127.0.0.5`, `::1`, `::ffff:127.0.0.1`). */
export function isLoopbackAddress(ip: string | undefined): boolean {
  return ip !== undefined && (ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127."));
}

/** A `--host` that binds loopback only; any other name or address may be reachable from the network. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase() === "localhost" || isLoopbackAddress(bare);
}
