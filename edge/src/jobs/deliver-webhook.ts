import { signWebhook } from '../webhook-signature.ts'

const WEBHOOK_TIMEOUT_MS = 10_000

/** Outcome of one delivery attempt. */
export interface DeliveryResult {
  ok: boolean
  /** HTTP status, or null when the receiver could not be reached in time. */
  status: number | null
}

/**
 * POSTs one signed webhook. Each attempt is signed with a fresh timestamp (a retry after minutes
 * must not look stale) under the same `webhook-id`, which receivers use to drop duplicates.
 */
export async function deliverWebhook(
  url: string,
  secret: string,
  id: string,
  body: string
): Promise<DeliveryResult> {
  const timestampS = Math.floor(Date.now() / 1000)
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'showo-edge-webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestampS),
        'webhook-signature': await signWebhook(secret, id, timestampS, body),
      },
      body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
    await res.body?.cancel()
    return { ok: res.ok, status: res.status }
  } catch {
    return { ok: false, status: null }
  }
}
