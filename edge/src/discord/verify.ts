/** Oldest Discord request timestamp accepted, in seconds; older ones are treated as replays. */
export const DISCORD_TIMESTAMP_TOLERANCE_S = 300

/** Why a Discord request was refused. */
export type DiscordVerdict = 'ok' | 'missing' | 'stale' | 'forged'

const encoder = new TextEncoder()

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    return undefined
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  }
  return out
}

/**
 * Checks Discord's Ed25519 signature (`X-Signature-Ed25519`) over `X-Signature-Timestamp` + the
 * raw body with WebCrypto, and refuses timestamps outside ±5 minutes so a captured request cannot
 * be replayed later.
 */
export async function verifyDiscordRequest(
  publicKeyHex: string,
  signatureHex: string | undefined,
  timestamp: string | undefined,
  rawBody: string,
  nowS: number = Math.floor(Date.now() / 1000)
): Promise<DiscordVerdict> {
  if (!signatureHex || !timestamp) {
    return 'missing'
  }
  if (
    !/^\d{1,12}$/.test(timestamp) ||
    Math.abs(nowS - Number(timestamp)) > DISCORD_TIMESTAMP_TOLERANCE_S
  ) {
    return 'stale'
  }
  const signature = fromHex(signatureHex)
  const publicKey = fromHex(publicKeyHex)
  if (signature?.length !== 64 || publicKey?.length !== 32) {
    return 'forged'
  }
  const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, [
    'verify',
  ])
  const ok = await crypto.subtle.verify(
    'Ed25519',
    key,
    signature,
    encoder.encode(timestamp + rawBody)
  )
  return ok ? 'ok' : 'forged'
}
