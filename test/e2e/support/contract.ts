// The cross-service contracts of DESIGN §3, re-derived here with node:crypto only, so the tests
// check the product against the design rather than against its own helpers.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** The edge's image parameters as they go into the cache key (`null` = the model's default). */
export interface KeyParams {
  prompt: string
  seed: number
  steps: number | null
  guidance: number | null
  topK: number | null
  size: 256 | 512 | null
}

/**
 * Cache key: SHA-256 (hex) over the canonical JSON (sorted keys, no whitespace) of
 * `{ model, task, prompt, seed, steps, guidance, top_k, size }`. The prompt is given normalised.
 */
export function expectedCacheKey(modelSha: string, p: KeyParams): string {
  const fields: Record<string, string | number | null> = {
    model: modelSha,
    task: 't2i',
    prompt: p.prompt,
    seed: p.seed,
    steps: p.steps,
    guidance: p.guidance,
    top_k: p.topK,
    size: p.size,
  }
  const canonical = `{${Object.keys(fields)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(fields[k])}`)
    .join(',')}}`
  return createHash('sha256').update(canonical).digest('hex')
}

/** `x-showo-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function runnerSignature(
  secret: string,
  body: string,
  nowS = Math.floor(Date.now() / 1000)
): string {
  const mac = createHmac('sha256', secret).update(`${nowS}.${body}`).digest('hex')
  return `t=${nowS},v1=${mac}`
}

/**
 * Standard Webhooks verification: `webhook-signature` holds space-separated `v1,<base64
 * HMAC-SHA256(key, id.timestamp.body)>`, where the key is the base64 after `whsec_`.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
  body: string
): boolean {
  const { id, timestamp, signature } = headers
  if (!id || !timestamp || !signature) {
    return false
  }
  const key = secret.startsWith('whsec_')
    ? Buffer.from(secret.slice(6), 'base64')
    : Buffer.from(secret)
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest()
  return signature.split(' ').some((candidate) => {
    const [version, mac] = candidate.split(',')
    if (version !== 'v1' || !mac) {
      return false
    }
    const given = Buffer.from(mac, 'base64')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}
