import { PayloadTooLargeError } from '../errors.ts'

/**
 * Reads the raw body bytes (the signature covers exactly these), refusing more than `limit`
 * bytes without reading past it: a declared length over the limit is refused before reading.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > limit) {
    throw new PayloadTooLargeError(`body: larger than ${limit} bytes`)
  }
  if (!request.body) {
    return new Uint8Array(0)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  // Node's web streams are async-iterable; the chunks of a request body are bytes.
  for await (const chunk of request.body as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError('request body chunk is not bytes')
    }
    size += chunk.byteLength
    if (size > limit) {
      throw new PayloadTooLargeError(`body: larger than ${limit} bytes`)
    }
    chunks.push(chunk)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}
