import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SIGNATURE_HEADER, verifySignature } from '@showo/contract'

/** A stand-in GPU runner for tests and the benchmark: the real HTTP contract, fake pixels. */
export interface FakeRunner {
  url: string
  /** Number of `POST /v1/generate` calls served. */
  generateCalls: () => number
  close: () => Promise<void>
}

/** Bytes with a PNG signature, `size` long, that depend on the seed. */
export function fakePngBytes(seed: number, size = 256): Buffer {
  const out = Buffer.alloc(size)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(out)
  for (let i = 8; i < size; i++) {
    out[i] = (seed * 31 + i * 7) & 0xff
  }
  return out
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/**
 * Starts the fake runner on 127.0.0.1. It checks the edge's signature exactly like the real
 * runner (401 envelope otherwise) and answers `/readyz` in the runner's shape.
 */
export async function startFakeRunner(options: {
  secret: string
  modelSha: string
  pngBytes?: number
}): Promise<FakeRunner> {
  let calls = 0
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/readyz') {
        res.setHeader('content-type', 'application/json')
        const model = { name: 'fake', sha: options.modelSha }
        res.end(JSON.stringify({ ready: true, model, draining: false }))
        return
      }
      const body = await readBody(req)
      const signature = req.headers[SIGNATURE_HEADER]
      const check = await verifySignature(
        options.secret,
        typeof signature === 'string' ? signature : undefined,
        body
      )
      if (!check.ok || req.url !== '/v1/generate') {
        res.statusCode = check.ok ? 404 : 401
        res.setHeader('content-type', 'application/json')
        const code = check.ok ? 'NOT_FOUND' : 'UNAUTHORIZED'
        res.end(JSON.stringify({ error: { code, message: code, requestId: 'fake' } }))
        return
      }
      calls++
      const request = JSON.parse(body.toString('utf8')) as { seed: number; steps?: number }
      res.setHeader('content-type', 'image/png')
      res.setHeader('x-seed', String(request.seed))
      res.setHeader('x-steps', String(request.steps ?? 4))
      res.setHeader('x-model', options.modelSha)
      res.setHeader('server-timing', 'total;dur=1')
      res.end(fakePngBytes(request.seed, options.pngBytes))
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    generateCalls: () => calls,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => {
          if (error) {
            reject(error)
          } else {
            resolve()
          }
        })
      }),
  }
}
