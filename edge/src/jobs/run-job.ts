import type { EdgeConfig } from '../config.ts'
import type { Env } from '../env.ts'
import { EdgeError } from '../errors.ts'
import { createImageGenerator } from '../image-generator.ts'
import { deliverWebhook } from './deliver-webhook.ts'
import { readJob, toPublicJob, writeJob, type JobRecord } from './job-store.ts'
import {
  MAX_QUEUE_ATTEMPTS,
  queueBackoffS,
  type Disposition,
  type JobMessage,
} from './queue-message.ts'
import { isRetryable } from './retryable.ts'

async function generate(
  job: JobRecord,
  env: Env,
  config: EdgeConfig,
  requestId: string,
  attempts: number
): Promise<JobRecord | Disposition> {
  try {
    if (!config.runner.ok) {
      throw new EdgeError('NOT_CONFIGURED', `This route needs ${config.runner.missing}.`)
    }
    const generator = createImageGenerator(env, config.runner.value, requestId)
    const image = await generator.generate(job.params, { wantBytes: false })
    const result = {
      key: image.key,
      url: `${job.imageBaseUrl}/v1/images/${image.key}.png`,
      seed: image.receipt.seed,
      steps: image.receipt.steps,
      model: image.receipt.model,
    }
    return { ...job, status: 'succeeded', result }
  } catch (error) {
    const edgeError =
      error instanceof EdgeError ? error : new EdgeError('INTERNAL', 'Internal error.')
    if (isRetryable(edgeError.code) && attempts < MAX_QUEUE_ATTEMPTS) {
      return { kind: 'retry', delayS: queueBackoffS(attempts, edgeError.retryAfterS) }
    }
    return { ...job, status: 'failed', error: { code: edgeError.code, message: edgeError.message } }
  }
}

/**
 * Runs one async job. The job record is the state machine, so a redelivered message resumes where
 * the last one stopped: a finished generation is not redone, only an undelivered webhook is sent.
 */
export async function runJob(
  message: JobMessage,
  attempts: number,
  env: Env,
  config: EdgeConfig
): Promise<Disposition> {
  let job = await readJob(env.JOBS, message.id)
  if (!job) {
    return { kind: 'ack' }
  }
  if (job.status === 'queued' || job.status === 'running') {
    if (job.status === 'queued') {
      job = await writeJob(env.JOBS, { ...job, status: 'running' })
    }
    const next = await generate(job, env, config, message.requestId, attempts)
    if ('kind' in next) {
      return next
    }
    job = await writeJob(env.JOBS, next)
  }
  const webhook = job.webhook
  if (!webhook || webhook.state !== 'pending') {
    return { kind: 'ack' }
  }
  if (!config.webhookSecret.ok) {
    await writeJob(env.JOBS, { ...job, webhook: { ...webhook, state: 'failed' } })
    return { kind: 'ack' }
  }
  const type = job.status === 'succeeded' ? 'job.succeeded' : 'job.failed'
  const body = JSON.stringify({ type, data: toPublicJob(job) })
  const delivery = await deliverWebhook(webhook.url, config.webhookSecret.value, job.id, body)
  const tried = { ...webhook, attempts: webhook.attempts + 1, lastStatus: delivery.status }
  if (delivery.ok) {
    await writeJob(env.JOBS, { ...job, webhook: { ...tried, state: 'delivered' } })
    return { kind: 'ack' }
  }
  if (attempts < MAX_QUEUE_ATTEMPTS) {
    await writeJob(env.JOBS, { ...job, webhook: tried })
    return { kind: 'retry', delayS: queueBackoffS(attempts, undefined) }
  }
  await writeJob(env.JOBS, { ...job, webhook: { ...tried, state: 'failed' } })
  return { kind: 'ack' }
}
