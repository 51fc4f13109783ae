import { createRoute, z } from '@hono/zod-openapi'
import { getConfig } from '../app-env.ts'
import { createApiKey } from '../api-keys.ts'
import { requireSetting } from '../config.ts'
import { EdgeError } from '../errors.ts'
import { createRouter } from '../router.ts'
import { errorResponses } from '../schemas/errors.ts'
import { sha256Hex } from '../sha256-hex.ts'
import { JSON_BODY_LIMIT, limitBody } from './images.ts'

const NewKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  rate_per_window: z.number().int().min(1).max(100_000).optional(),
})

const NewKeyResponse = z.object({
  key: z.string().openapi({ description: 'Shown once; only its SHA-256 is stored' }),
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
})

const createKeyRoute = createRoute({
  method: 'post',
  path: '/admin/keys',
  summary: 'Create an API key (Authorization: Bearer ADMIN_TOKEN)',
  middleware: [limitBody(JSON_BODY_LIMIT)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewKeyRequest } } } },
  responses: {
    201: {
      description: 'The new key',
      content: { 'application/json': { schema: NewKeyResponse } },
    },
    ...errorResponses(400, 401, 503),
  },
})

// Compares digests, not the strings, so that neither length nor content leaks through timing.
async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256Hex(a), sha256Hex(b)])
  const encoder = new TextEncoder()
  return crypto.subtle.timingSafeEqual(encoder.encode(x), encoder.encode(y))
}

/** Operator routes. */
export function adminRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter()
  router.openapi(createKeyRoute, async (c) => {
    const adminToken = requireSetting(getConfig(c).adminToken)
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (!presented || !(await sameSecret(presented, adminToken))) {
      throw new EdgeError('UNAUTHORIZED', 'authorization: admin token required.')
    }
    const body = c.req.valid('json')
    const { key, record } = await createApiKey(c.env.API_KEYS, body.name, body.rate_per_window)
    return c.json({ key, id: record.id, name: record.name, created_at: record.createdAt }, 201)
  })
  return router
}
