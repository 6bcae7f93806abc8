import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A fresh token for one hub start: 32 random bytes, base64url (43 characters). */
export function createToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Compares a token an agent sent with the hub's in constant time, whatever their lengths: both are
 * hashed first, so neither the length nor the first differing byte shows in the timing.
 */
export function tokensEqual(sent: string, expected: string): boolean {
  const a = createHash('sha256').update(sent, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b) && sent.length === expected.length
}
