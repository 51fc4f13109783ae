import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Clock } from '../batcher/clock.ts'
import type { AppEnv } from './app-env.ts'

/** A listening HTTP server around the app. */
export interface HttpServer {
  /** `http://host:port`, with the port the OS picked when asked for 0. */
  readonly url: string
  /**
   * Stops accepting connections, closes every connection without a response in progress
   * (and each other one as its last response ends), and after `graceMs` closes what is left.
   */
  close(graceMs: number): Promise<void>
}

/**
 * Starts serving `app` on host:port (port 0 picks a free one). `keepAliveMs` must exceed the load
 * balancer's idle timeout: if Node closed an idle connection first, the balancer could send the
 * next request down a dead socket and answer 502.
 */
export function listen(
  app: Hono<AppEnv>,
  options: { host: string; port: number; clock: Clock; keepAliveMs: number }
): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info) => {
        server.off('error', reject)
        const http = server as Server
        http.keepAliveTimeout = options.keepAliveMs
        http.headersTimeout = options.keepAliveMs + 1000
        resolve(toHttpServer(server as Server, info, options.clock))
      }
    )
    server.once('error', reject)
  })
}

function toHttpServer(server: Server, info: AddressInfo, clock: Clock): HttpServer {
  // Node's own closeIdleConnections() counts a connection that has not sent a request yet as
  // busy (HTTP clients open spare ones), which would hold close() until the client drops it.
  // So the server tracks which sockets have a response in progress itself.
  const sockets = new Set<Socket>()
  const responding = new Map<Socket, number>()
  let closing: Promise<void> | undefined
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      responding.delete(socket)
    })
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket
    responding.set(socket, (responding.get(socket) ?? 0) + 1)
    response.once('close', () => {
      const left = (responding.get(socket) ?? 1) - 1
      if (left > 0) {
        responding.set(socket, left)
      } else {
        responding.delete(socket)
        if (closing) {
          socket.destroy()
        }
      }
    })
  })
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
  return {
    url: `http://${host}:${info.port}`,
    close(graceMs) {
      closing ??= new Promise((resolve) => {
        const cancelForce = clock.setTimeout(() => {
          server.closeAllConnections()
        }, graceMs)
        server.close(() => {
          cancelForce()
          resolve()
        })
        for (const socket of sockets) {
          if (!responding.has(socket)) {
            socket.destroy()
          }
        }
      })
      return closing
    },
  }
}
