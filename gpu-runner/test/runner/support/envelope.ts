import { ErrorEnvelope } from '@showo/contract'

/** Reads an error response: its status, code, message, request id and headers. */
export async function readError(response: Response) {
  const envelope = ErrorEnvelope.parse(await response.json())
  return {
    status: response.status,
    ...envelope.error,
    retryAfter: response.headers.get('retry-after'),
    retryAfterMs: response.headers.get('retry-after-ms'),
    requestIdHeader: response.headers.get('x-request-id'),
  }
}
