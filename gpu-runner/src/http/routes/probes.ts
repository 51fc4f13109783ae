import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import type { RouteDeps } from '../route-deps.ts'

/**
 * `GET /healthz` (the process is alive: 200 even while loading or draining), `GET /readyz`
 * (the `Readiness` JSON; 503 until the model is warm and again once draining) and `GET /metrics`
 * (Prometheus text). Unsigned: load balancers and scrapers cannot sign; keep the port private.
 */
export function probeRoutes(deps: Pick<RouteDeps, 'state' | 'metrics'>): Hono<AppEnv> {
  const { state, metrics } = deps
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => c.json({ alive: true }))
  app.get('/readyz', (c) => {
    const readiness = state.readiness()
    return c.json(readiness, readiness.ready ? 200 : 503)
  })
  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics()
    return c.text(text, 200, { 'content-type': metrics.registry.contentType })
  })
  return app
}
