import { EdgeError } from './errors.ts'

/** How long a remote image may take to arrive. */
const FETCH_TIMEOUT_MS = 10_000

const SIGNATURES: { type: string; test: (b: Uint8Array) => boolean }[] = [
  { type: 'png', test: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { type: 'jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'webp',
    test: (b) =>
      String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' &&
      String.fromCharCode(...b.subarray(8, 12)) === 'WEBP',
  },
]

/** Throws INVALID_REQUEST naming `field` unless the bytes start like a PNG, JPEG or WebP. */
export function assertImageBytes(bytes: Uint8Array, field: string): void {
  if (!SIGNATURES.some((s) => s.test(bytes))) {
    throw new EdgeError('INVALID_REQUEST', `${field}: must be a PNG, JPEG or WebP image.`)
  }
}

/** Reads a body, refusing it as soon as it passes `maxBytes` (the Content-Length may lie). */
export async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  field: string
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) {
      break
    }
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new EdgeError('PAYLOAD_TOO_LARGE', `${field}: larger than ${maxBytes} bytes.`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** Fetches an image by URL for understanding, with a size cap and a timeout. */
export async function fetchImage(
  url: string,
  maxBytes: number,
  field = 'image_url'
): Promise<Uint8Array<ArrayBuffer>> {
  const parsed = new URL(url)
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new EdgeError('INVALID_REQUEST', `${field}: must be an http(s) URL.`)
  }
  let res: Response
  try {
    res = await fetch(parsed, {
      headers: { accept: 'image/png, image/jpeg, image/webp' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    })
  } catch (cause) {
    throw new EdgeError('INVALID_REQUEST', `${field}: could not be fetched.`, { cause })
  }
  if (!res.ok || !res.body) {
    throw new EdgeError('INVALID_REQUEST', `${field}: fetching it answered HTTP ${res.status}.`)
  }
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > maxBytes) {
    await res.body.cancel()
    throw new EdgeError('PAYLOAD_TOO_LARGE', `${field}: larger than ${maxBytes} bytes.`)
  }
  // fetch bodies are byte streams; workers-types leaves their chunk type open.
  const bytes = await readCapped(res.body as ReadableStream<Uint8Array>, maxBytes, field)
  assertImageBytes(bytes, field)
  return bytes
}
