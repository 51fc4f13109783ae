import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import type { AppEnv } from './app-env.ts'
import { EdgeError, toErrorResponse } from './errors.ts'
import { createRouter } from './router.ts'
import { adminRoutes } from './routes/admin.ts'
import { discordRoutes } from './routes/discord.ts'
import { imageRoutes } from './routes/images.ts'
import { jobRoutes } from './routes/jobs.ts'
import { playgroundRoutes } from './routes/playground.ts'
import { understandRoutes } from './routes/understand.ts'

function toEdgeError(error: unknown): EdgeError {
  if (error instanceof EdgeError) {
    return error
  }
  if (error instanceof HTTPException) {
    if (error.status === 413) {
      return new EdgeError('PAYLOAD_TOO_LARGE', 'body: too large.', { cause: error })
    }
    if (error.status === 415) {
      return new EdgeError('INVALID_REQUEST', 'content-type: not accepted by this route.', {
        cause: error,
      })
    }
    if (error.status === 400) {
      return new EdgeError('INVALID_REQUEST', `body: ${error.message}`, { cause: error })
    }
  }
  return new EdgeError('INTERNAL', 'Internal error.', { cause: error })
}

/** The only place that turns errors into responses (routes throw, this renders). */
function handleError(error: unknown, c: Context<AppEnv>): Response {
  const edgeError = toEdgeError(error)
  const id = c.get('requestId')
  if (edgeError.status >= 500) {
    console.error(
      JSON.stringify({
        requestId: id,
        code: edgeError.code,
        internal: edgeError.internal,
        error: edgeError.code === 'INTERNAL' ? String(error) : undefined,
        stack: edgeError.code === 'INTERNAL' && error instanceof Error ? error.stack : undefined,
      })
    )
  }
  return toErrorResponse(edgeError, id)
}

/** Builds the edge app: request ids, every route module, OpenAPI at /openapi.json, errors. */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = createRouter()
  app.use(requestId())
  app.route('/', playgroundRoutes())
  app.route('/', imageRoutes())
  app.route('/', understandRoutes())
  app.route('/', jobRoutes())
  app.route('/', adminRoutes())
  app.route('/', discordRoutes())
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Show-o Turbo edge API',
      version: '1.0.0',
      description: 'Text-to-image and image understanding; errors use one envelope.',
    },
  })
  app.notFound((c) =>
    handleError(new EdgeError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`), c)
  )
  app.onError(handleError)
  return app
}
