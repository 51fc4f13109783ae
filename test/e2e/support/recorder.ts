import { once } from 'node:events'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pollFor } from './poll.ts'

/** One HTTP request as the recorder received it. */
export interface RecordedRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
}

/** What the recorder answers; default 200 with `{}`. */
export type Reply = (request: RecordedRequest) => {
  status: number
  body?: string
  headers?: Record<string, string>
}

/** A local HTTP server that keeps every request it gets (a stand-in for a third party). */
export interface Recorder {
  /** `http://127.0.0.1:<port>` */
  url: string
  requests: RecordedRequest[]
  /** Waits until a request matching `match` has arrived and returns it. */
  waitFor: (
    what: string,
    match: (r: RecordedRequest) => boolean,
    timeoutMs: number
  ) => Promise<RecordedRequest>
  close: () => Promise<void>
}

/** Starts a recorder on 127.0.0.1 on a free port. */
export async function startRecorder(
  reply: Reply = () => ({ status: 200, body: '{}' })
): Promise<Recorder> {
  const requests: RecordedRequest[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      }
      requests.push(recorded)
      const answer = reply(recorded)
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        ...answer.headers,
      })
      res.end(answer.body ?? '')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor: (what, match, timeoutMs) =>
      pollFor(what, () => requests.find(match), {
        timeoutMs,
        describe: () =>
          `recorded so far: ${requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'nothing'}`,
      }),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) {
            reject(error)
          } else {
            resolve()
          }
        })
      })
    },
  }
}
