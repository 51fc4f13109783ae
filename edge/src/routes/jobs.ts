import { createRoute } from '@hono/zod-openapi'
import { getConfig } from '../app-env.ts'
import { auth } from '../auth.ts'
import { normalizePrompt } from '../cache-key.ts'
import { requireSetting } from '../config.ts'
import { EdgeError } from '../errors.ts'
import { readJob, toPublicJob, writeJob, type JobRecord } from '../jobs/job-store.ts'
import { createRouter } from '../router.ts'
import { errorResponses } from '../schemas/errors.ts'
import { JobIdParam, JobRequest, JobView } from '../schemas/jobs.ts'
import { drawSeed } from '../seed.ts'
import { JSON_BODY_LIMIT, limitBody } from './images.ts'

const submitRoute = createRoute({
  method: 'post',
  path: '/v1/jobs',
  summary: 'Submit an image job; poll it or receive a signed webhook',
  middleware: [limitBody(JSON_BODY_LIMIT), auth()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: JobRequest } } } },
  responses: {
    202: { description: 'Accepted', content: { 'application/json': { schema: JobView } } },
    ...errorResponses(400, 401, 413, 429, 503),
  },
})

const statusRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  summary: 'A job and, once done, its image URL or error',
  request: { params: JobIdParam },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobView } } },
    ...errorResponses(400, 404),
  },
})

/** `POST /v1/jobs` and `GET /v1/jobs/{id}`. Job ids are random UUIDs, unguessable by design. */
export function jobRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter()

  router.openapi(submitRoute, async (c) => {
    const body = c.req.valid('json')
    const config = getConfig(c)
    // Fail at submission, not minutes later in the queue, when the deployment cannot do the job.
    requireSetting(config.runner)
    if (body.webhook_url !== undefined) {
      requireSetting(config.webhookSecret)
    }
    const now = new Date().toISOString()
    const job: JobRecord = {
      id: crypto.randomUUID(),
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      params: {
        prompt: normalizePrompt(body.prompt),
        seed: body.seed ?? drawSeed(),
        steps: body.steps ?? null,
        guidanceScale: body.guidance_scale ?? null,
        topK: body.top_k ?? null,
        resolution: body.size === undefined ? null : body.size === '512x512' ? 512 : 256,
      },
      imageBaseUrl: config.publicBaseUrl ?? new URL(c.req.url).origin,
      ...(body.webhook_url === undefined
        ? {}
        : { webhook: { url: body.webhook_url, state: 'pending', attempts: 0, lastStatus: null } }),
    }
    const saved = await writeJob(c.env.JOBS, job)
    await c.env.RENDER_QUEUE.send({ type: 'job', id: job.id, requestId: c.get('requestId') })
    c.header('location', `/v1/jobs/${job.id}`)
    return c.json(toPublicJob(saved), 202)
  })

  router.openapi(statusRoute, async (c) => {
    const { id } = c.req.valid('param')
    const job = await readJob(c.env.JOBS, id)
    if (!job) {
      throw new EdgeError('NOT_FOUND', `No job with id ${id}.`)
    }
    return c.json(toPublicJob(job), 200)
  })

  return router
}
