/**
 * The tenant's data keys: `GET /api/v2/keys` lists them without key material; rotation makes a
 * new active key, old keys stay for decryption until their secrets are re-encrypted.
 */
import type { EmulatorContext } from "../context.js";
import type { ApiResponse } from "../problem.js";

export const KEYS_PATH = "/api/v2/keys";

export class KeyHandlers {
  constructor(private readonly ctx: Pick<EmulatorContext, "keyring">) {}

  list(tenantId: string): ApiResponse {
    return { status: 200, body: this.ctx.keyring.keys(tenantId) };
  }

  /** Answers the new list plus `previousKeyId`, the key that was active before. */
  rotate(tenantId: string): ApiResponse {
    const previousKeyId = this.ctx.keyring.keys(tenantId).activeKeyId;
    this.ctx.keyring.rotate(tenantId);
    return { status: 200, body: { ...this.ctx.keyring.keys(tenantId), previousKeyId } };
  }
}
