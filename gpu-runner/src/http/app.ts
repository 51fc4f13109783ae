import { Hono } from 'hono'
import type { Logger } from '../logging/logger.ts'
import { NotFoundError } from '../errors.ts'
import type { AppEnv } from './app-env.ts'
import { errorResponse } from './error-response.ts'
import { requestId } from './request-id.ts'
import { requestLog } from './request-log.ts'
import type { RouteDeps } from './route-deps.ts'
import { generateRoute } from './routes/generate.ts'
import { probeRoutes } from './routes/probes.ts'
import { understandRoute } from './routes/understand.ts'

/** Everything the HTTP app is made from; main.ts builds these, tests pass fakes. */
export interface HttpAppDeps extends RouteDeps {
  logger: Logger
}

/**
 * The runner's HTTP API (DESIGN §3): `POST /v1/generate`, `POST /v1/understand`, `GET /healthz`,
 * `GET /readyz`, `GET /metrics`. Routes throw; `errorResponse` alone writes error bodies.
 */
export function createHttpApp(deps: HttpAppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use(requestId())
  app.use(requestLog(deps))
  app.route('/', generateRoute(deps))
  app.route('/', understandRoute(deps))
  app.route('/', probeRoutes(deps))
  app.all('*', (c) => {
    throw new NotFoundError(c.req.method, c.req.path)
  })
  app.onError(errorResponse())
  return app
}
