import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Clock } from '../batcher/clock.ts'
import type { AppEnv } from './app-env.ts'

/** A listening HTTP server around the app. */
export interface HttpServer {
  /** `http://host:port`, with the port the OS picked when asked for 0. */
  readonly url: string
  /**
   * Stops accepting connections, lets responses in progress finish, closes kept-alive idle
   * connections as they become idle, and after `graceMs` closes whatever is left.
   */
  close(graceMs: number): Promise<void>
}

/** How often idle keep-alive connections are swept while closing. */
const IDLE_SWEEP_MS = 50

/** Starts serving `app` on host:port (port 0 picks a free one). */
export function listen(
  app: Hono<AppEnv>,
  options: { host: string; port: number; clock: Clock }
): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info) => {
        server.off('error', reject)
        resolve(toHttpServer(server as Server, info, options.clock))
      }
    )
    server.once('error', reject)
  })
}

function toHttpServer(server: Server, info: AddressInfo, clock: Clock): HttpServer {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${info.port}`,
    close(graceMs) {
      closing ??= new Promise((resolve) => {
        let cancelSweep = (): void => undefined
        const cancelForce = clock.setTimeout(() => {
          server.closeAllConnections()
        }, graceMs)
        const sweep = (): void => {
          server.closeIdleConnections()
          cancelSweep = clock.setTimeout(sweep, IDLE_SWEEP_MS)
        }
        server.close(() => {
          cancelSweep()
          cancelForce()
          resolve()
        })
        sweep()
      })
      return closing
    },
  }
}
