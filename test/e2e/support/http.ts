/** A finished HTTP exchange with its body read once, as text and bytes. */
export interface Exchange {
  status: number
  headers: Headers
  bytes: Buffer
  text: string
  /** The body parsed as JSON (throws with the text when it is not JSON). */
  json: () => unknown
  /** One line for assertion messages: status, headers of interest and the start of the body. */
  summary: string
}

/** Sends a request and reads the whole answer. */
export async function send(url: string, init: RequestInit = {}): Promise<Exchange> {
  const res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(170_000) })
  const bytes = Buffer.from(await res.arrayBuffer())
  const text = bytes.toString('utf8')
  const isText = !(res.headers.get('content-type') ?? '').startsWith('image/')
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    text,
    json: () => {
      try {
        return JSON.parse(text) as unknown
      } catch {
        throw new Error(`${init.method ?? 'GET'} ${url}: not JSON: ${text.slice(0, 500)}`)
      }
    },
    summary: `${init.method ?? 'GET'} ${url} → ${res.status} ${JSON.stringify(
      Object.fromEntries(res.headers)
    )} ${isText ? text.slice(0, 500) : `<${bytes.length} bytes>`}`,
  }
}

/** POSTs JSON. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {}
): Promise<Exchange> {
  return send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

/** The error envelope every failing route answers with. */
export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string }
}
