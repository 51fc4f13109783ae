import { SIGNATURE_HEADER, verifySignature, type SignatureFailure } from '@showo/contract'
import { UnauthorizedError } from '../errors.ts'

const REASONS: Record<SignatureFailure, string> = {
  missing: `is missing (${SIGNATURE_HEADER})`,
  malformed: `is malformed (${SIGNATURE_HEADER})`,
  expired: 'is outside the accepted time window',
  mismatch: 'does not match the body',
}

/**
 * Checks `x-showo-signature` over the raw body bytes. A null secret (development only;
 * config refuses it in production) skips the check.
 */
export async function verifyRequest(
  secret: string | null,
  header: string | undefined,
  body: Uint8Array,
  nowS: number
): Promise<void> {
  if (secret === null) {
    return
  }
  const check = await verifySignature(secret, header, body, nowS)
  if (!check.ok) {
    throw new UnauthorizedError(REASONS[check.reason])
  }
}
