import { SIGNATURE_HEADER, signRequest } from '@showo/contract'

/** Secret the test runners are configured with. */
export const TEST_SECRET = 'test-secret-0123456789'

/** Wall clock of the tests' FakeClock at time 0, in Unix seconds. */
export const TEST_NOW_S = 1_700_000_000

/** A POST with a JSON body, signed as the edge signs it (unless `sign: false`). */
export async function signedPost(
  path: string,
  body: unknown,
  options: {
    secret?: string
    nowS?: number
    sign?: boolean
    headers?: Record<string, string>
    signal?: AbortSignal
    rawBody?: string | Uint8Array
  } = {}
): Promise<Request> {
  const raw = options.rawBody ?? JSON.stringify(body)
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (options.sign !== false) {
    headers[SIGNATURE_HEADER] = await signRequest(
      options.secret ?? TEST_SECRET,
      raw,
      options.nowS ?? TEST_NOW_S
    )
  }
  const init: RequestInit = { method: 'POST', headers, body: raw }
  if (options.signal) {
    init.signal = options.signal
  }
  return new Request(`http://runner.test${path}`, init)
}
