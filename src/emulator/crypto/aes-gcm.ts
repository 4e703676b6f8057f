/**
 * AES-256-GCM with a random 96-bit IV and a 128-bit tag (NIST SP 800-38D). Sealed bytes travel as
 * standard base64 of iv(12) | tag(16) | ciphertext; the associated data is authenticated, not stored.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const GCM_OVERHEAD_BYTES = IV_BYTES + TAG_BYTES;

export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64");
}

/** Splits a sealed string; undefined when it is not strict base64 or too short to hold iv and tag. */
export function gcmParse(sealed: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } | undefined {
  if (typeof sealed !== "string" || !BASE64.test(sealed)) return undefined;
  const bytes = Buffer.from(sealed, "base64");
  if (bytes.length < GCM_OVERHEAD_BYTES) return undefined;
  return {
    iv: bytes.subarray(0, IV_BYTES),
    tag: bytes.subarray(IV_BYTES, GCM_OVERHEAD_BYTES),
    ciphertext: bytes.subarray(GCM_OVERHEAD_BYTES),
  };
}

/** The plaintext, or undefined when authentication fails (wrong key, wrong AAD or altered bytes). */
export function gcmOpen(
  key: Buffer,
  parts: { iv: Buffer; tag: Buffer; ciphertext: Buffer },
  aad: Buffer,
): Buffer | undefined {
  const decipher = createDecipheriv("aes-256-gcm", key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(parts.tag);
  const out = decipher.update(parts.ciphertext);
  try {
    // final() verifies the tag; nothing decrypted is returned unless it passes.
    return Buffer.concat([out, decipher.final()]);
  } catch {
    out.fill(0);
    return undefined;
  }
}
