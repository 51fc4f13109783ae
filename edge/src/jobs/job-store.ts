import { z } from 'zod'
import { ERROR_CODES } from '@showo/contract'
import { StoredImageParams } from '../image-store.ts'

/** Jobs and their results are kept a week. */
const JOB_TTL_S = 7 * 24 * 3600

/** A stored async job. */
export const JobRecord = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  createdAt: z.string(),
  updatedAt: z.string(),
  params: StoredImageParams,
  /** Origin for the result URL, fixed when the job was submitted. */
  imageBaseUrl: z.string(),
  result: z
    .object({
      key: z.string(),
      url: z.string(),
      seed: z.number(),
      steps: z.number().nullable(),
      model: z.string(),
    })
    .optional(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
  webhook: z
    .object({
      url: z.string(),
      state: z.enum(['pending', 'delivered', 'failed']),
      attempts: z.number().int(),
      lastStatus: z.number().int().nullable(),
    })
    .optional(),
})

/** A parsed job record. */
export type JobRecord = z.infer<typeof JobRecord>

function kvName(id: string): string {
  return `job:${id}`
}

/** Reads a job; null when unknown or expired. */
export async function readJob(kv: KVNamespace, id: string): Promise<JobRecord | null> {
  const raw = await kv.get(kvName(id), 'json')
  if (raw === null) {
    return null
  }
  const parsed = JobRecord.safeParse(raw)
  return parsed.success ? parsed.data : null
}

/** Writes a job, stamping `updatedAt`. */
export async function writeJob(kv: KVNamespace, job: JobRecord): Promise<JobRecord> {
  const next = { ...job, updatedAt: new Date().toISOString() }
  await kv.put(kvName(job.id), JSON.stringify(next), { expirationTtl: JOB_TTL_S })
  return next
}

/** What clients see of a job (`GET /v1/jobs/{id}` and webhook bodies). */
export function toPublicJob(job: JobRecord): {
  id: string
  status: JobRecord['status']
  created_at: string
  updated_at: string
  seed: number
  result: NonNullable<JobRecord['result']> | null
  error: NonNullable<JobRecord['error']> | null
  webhook: { state: 'pending' | 'delivered' | 'failed'; attempts: number } | null
} {
  return {
    id: job.id,
    status: job.status,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    seed: job.params.seed,
    result: job.result ?? null,
    error: job.error ?? null,
    webhook: job.webhook ? { state: job.webhook.state, attempts: job.webhook.attempts } : null,
  }
}
