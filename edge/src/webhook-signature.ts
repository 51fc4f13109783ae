import { fromBase64, toBase64 } from './base64.ts'

/** Largest accepted age of a webhook timestamp, in seconds (Standard Webhooks' default). */
export const WEBHOOK_TOLERANCE_S = 300

const encoder = new TextEncoder()

// Standard Webhooks secrets are `whsec_<base64>`; any other string is used as raw UTF-8 bytes.
function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  return secret.startsWith('whsec_')
    ? fromBase64(secret.slice(6))
    : Uint8Array.from(encoder.encode(secret))
}

async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    secretBytes(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage]
  )
}

/**
 * Signs a webhook the Standard Webhooks way: `v1,<base64 HMAC-SHA256(id.timestamp.body)>`, sent
 * as `webhook-signature` next to `webhook-id` and `webhook-timestamp`.
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestampS: number,
  body: string
): Promise<string> {
  const key = await hmacKey(secret, 'sign')
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestampS}.${body}`))
  return `v1,${toBase64(mac)}`
}

/** Checks a received webhook; what a receiver runs. Accepts any of several space-separated signatures. */
export async function verifyWebhook(
  secret: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  nowS: number = Math.floor(Date.now() / 1000)
): Promise<boolean> {
  const { id, timestamp, signature } = headers
  if (!id || !timestamp || !signature || !/^\d+$/.test(timestamp)) {
    return false
  }
  if (Math.abs(nowS - Number(timestamp)) > WEBHOOK_TOLERANCE_S) {
    return false
  }
  const key = await hmacKey(secret, 'verify')
  const data = encoder.encode(`${id}.${timestamp}.${body}`)
  for (const candidate of signature.split(' ')) {
    const [version, mac] = candidate.split(',')
    if (
      version === 'v1' &&
      mac &&
      (await crypto.subtle.verify('HMAC', key, fromBase64(mac), data))
    ) {
      return true
    }
  }
  return false
}
