import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import type { Env } from '../src/env.ts'
import worker from '../src/index.ts'
import type { QueueMessage } from '../src/jobs/queue-message.ts'
import { testEnv } from './call-worker.ts'

/** What the consumer did with a batch: acks from the pool, retries with their delays. */
export interface QueueOutcome {
  explicitAcks: string[]
  /** The pool's result lists retried ids only, so delays are read from the `retry` calls. */
  retryMessages: { msgId: string; delaySeconds: number | undefined }[]
}

/** Delivers messages to the Worker's queue consumer as one batch. */
export async function runQueue(
  messages: { body: QueueMessage; attempts?: number; timestamp?: Date }[],
  envOverrides: Partial<Env> = {}
): Promise<QueueOutcome> {
  const batch = createMessageBatch<QueueMessage>(
    'showo-render',
    messages.map((m, i) => ({
      id: `msg-${i}`,
      timestamp: m.timestamp ?? new Date(),
      attempts: m.attempts ?? 1,
      body: m.body,
    }))
  )
  const retryMessages: QueueOutcome['retryMessages'] = []
  for (const message of batch.messages) {
    const retry = message.retry.bind(message)
    message.retry = (options?: QueueRetryOptions) => {
      retryMessages.push({ msgId: message.id, delaySeconds: options?.delaySeconds })
      retry(options)
    }
  }
  const ctx = createExecutionContext()
  await worker.queue(batch, testEnv(envOverrides), ctx)
  const result = (await getQueueResult(batch, ctx)) as { explicitAcks: string[] }
  return { explicitAcks: result.explicitAcks, retryMessages }
}

/** A queue binding that records what is sent instead of delivering it. */
export function recordingQueue(): { queue: Queue<QueueMessage>; sent: QueueMessage[] } {
  const sent: QueueMessage[] = []
  const queue = {
    send: (message: QueueMessage) => {
      sent.push(message)
      return Promise.resolve()
    },
    sendBatch: (batch: Iterable<{ body: QueueMessage }>) => {
      for (const m of batch) {
        sent.push(m.body)
      }
      return Promise.resolve()
    },
  }
  return { queue: queue as unknown as Queue<QueueMessage>, sent }
}
