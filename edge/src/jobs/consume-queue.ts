import { readConfig } from '../config.ts'
import type { Env } from '../env.ts'
import type { QueueMessage } from './queue-message.ts'
import { renderDiscord } from './render-discord.ts'
import { runJob } from './run-job.ts'

/**
 * Queue consumer for async jobs and Discord renders. Messages of a batch run concurrently (each
 * mostly waits on the GPU); each is acked or retried on its own, so one failure never redoes the
 * others. Anything unexpected retries the message through the queue.
 */
export async function consumeQueue(
  batch: MessageBatch<QueueMessage>,
  env: Env,
  _ctx: ExecutionContext
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const config = readConfig(env)
        const body = message.body
        const disposition =
          body.type === 'job'
            ? await runJob(body, message.attempts, env, config)
            : await renderDiscord(body, message, env, config)
        if (disposition.kind === 'ack') {
          message.ack()
        } else {
          message.retry({ delaySeconds: disposition.delayS })
        }
      } catch (error) {
        console.error('queue message failed', message.id, error)
        message.retry()
      }
    })
  )
}
