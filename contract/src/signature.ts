/**
 * Edge → runner request signing (DESIGN §3): `x-showo-signature: t=<unix s>,v1=<hex HMAC-SHA256>`
 * over `t + "." + raw body`. WebCrypto only, so the same code runs in Workers and in Node.
 */

/** Header that carries the signature. */
export const SIGNATURE_HEADER = 'x-showo-signature'

/** Largest accepted clock difference between signer and verifier, in seconds. */
export const SIGNATURE_TOLERANCE_S = 300

/** Why a signature was refused. */
export type SignatureFailure = 'missing' | 'malformed' | 'expired' | 'mismatch'

/** Result of {@link verifySignature}. */
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure }

const encoder = new TextEncoder()

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

async function importKey(secret: string, usage: 'sign' | 'verify'): Promise<HmacKey> {
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage]
  )
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body
}

function signedPayload(t: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${t}.`)
  const out = new Uint8Array(prefix.length + body.length)
  out.set(prefix, 0)
  out.set(body, prefix.length)
  return out
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) {
    return undefined
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  }
  return out
}

/** Signs a raw body; returns the header value. `nowS` is injectable for tests. */
export async function signRequest(
  secret: string,
  body: string | Uint8Array,
  nowS: number = Math.floor(Date.now() / 1000)
): Promise<string> {
  const key = await importKey(secret, 'sign')
  const mac = await crypto.subtle.sign('HMAC', key, signedPayload(nowS, toBytes(body)))
  return `t=${nowS},v1=${toHex(mac)}`
}

/**
 * Checks a signature header against the raw body. The MAC comparison is WebCrypto's `verify`,
 * which compares in constant time.
 */
export async function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  nowS: number = Math.floor(Date.now() / 1000)
): Promise<SignatureCheck> {
  if (!header) {
    return { ok: false, reason: 'missing' }
  }
  const parts = new Map<string, string>()
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) {
      parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
    }
  }
  const tText = parts.get('t')
  const mac = fromHex(parts.get('v1') ?? '')
  if (!tText || !/^\d{1,12}$/.test(tText) || !mac || mac.length !== 32) {
    return { ok: false, reason: 'malformed' }
  }
  const t = Number(tText)
  if (Math.abs(nowS - t) > SIGNATURE_TOLERANCE_S) {
    return { ok: false, reason: 'expired' }
  }
  const key = await importKey(secret, 'verify')
  const ok = await crypto.subtle.verify('HMAC', key, mac, signedPayload(t, toBytes(body)))
  return ok ? { ok: true } : { ok: false, reason: 'mismatch' }
}
