import { OpenAPIHono } from '@hono/zod-openapi'
import { describeIssues } from '@showo/contract'
import type { AppEnv } from './app-env.ts'
import { EdgeError } from './errors.ts'

/**
 * A router whose validation failures become 400 INVALID_REQUEST naming each bad field. Each route
 * module makes its own (hooks are per instance); the app mounts them and merges their OpenAPI.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const where =
          result.target === 'json' || result.target === 'form' ? '' : `${result.target} `
        throw new EdgeError('INVALID_REQUEST', where + describeIssues(result.error))
      }
    },
  })
}
