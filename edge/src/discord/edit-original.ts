/** Discord calls from a Worker can hang (discord-api-docs#7936): never wait longer than this. */
const DISCORD_TIMEOUT_MS = 10_000

/** A message body for Discord's webhook endpoints. */
export interface DiscordPayload {
  content: string
  components?: unknown[]
  attachments?: { id: number; filename: string }[]
  flags?: number
}

/** Outcome of an edit: retryable for timeouts, 429 and 5xx; 4xx means the token is gone. */
export interface EditResult {
  ok: boolean
  status: number | null
  retryable: boolean
  retryAfterS?: number
}

/**
 * Edits the deferred response (`PATCH /webhooks/{app}/{token}/messages/@original`), as multipart
 * when a file goes with it (`files[0]` plus `payload_json` whose attachments reference it).
 */
export async function editOriginal(
  apiBase: string,
  applicationId: string,
  token: string,
  payload: DiscordPayload,
  file?: { name: string; bytes: ArrayBuffer }
): Promise<EditResult> {
  const url = `${apiBase}/webhooks/${applicationId}/${token}/messages/@original`
  let body: BodyInit
  const headers: Record<string, string> = {}
  if (file) {
    const form = new FormData()
    form.append(
      'payload_json',
      JSON.stringify({ ...payload, attachments: [{ id: 0, filename: file.name }] })
    )
    form.append('files[0]', new Blob([file.bytes], { type: 'image/png' }), file.name)
    body = form
  } else {
    body = JSON.stringify(payload)
    headers['content-type'] = 'application/json'
  }
  let res: Response
  try {
    res = await fetch(url, {
      method: 'PATCH',
      headers,
      body,
      signal: AbortSignal.timeout(DISCORD_TIMEOUT_MS),
    })
  } catch {
    return { ok: false, status: null, retryable: true }
  }
  if (res.ok) {
    await res.body?.cancel()
    return { ok: true, status: res.status, retryable: false }
  }
  const text = await res.text().catch(() => '')
  if (res.status === 429) {
    const retryAfter = Number((JSON.parse(text || '{}') as { retry_after?: unknown }).retry_after)
    return {
      ok: false,
      status: 429,
      retryable: true,
      retryAfterS: Number.isFinite(retryAfter) ? Math.ceil(retryAfter) : 1,
    }
  }
  return { ok: false, status: res.status, retryable: res.status >= 500 }
}
