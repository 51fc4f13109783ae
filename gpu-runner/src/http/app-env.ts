import type { LogFields } from '../logging/logger.ts'

/** Per-request values shared by the middleware, the routes and the error handler. */
export interface AppEnv {
  Variables: {
    requestId: string
    /** Fields of the request's one log line; routes and the error handler add to it. */
    log: LogFields
  }
}
