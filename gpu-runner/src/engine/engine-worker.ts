// The engine's worker thread: owns the ONNX sessions and runs whole requests, so ORT's blocking
// run() never stalls the HTTP server on the main thread.
import { parentPort, workerData } from 'node:worker_threads'
import type { Resolution } from '@showo/contract'
import { RunnerError } from '../errors.ts'
import { ShowoModel } from '../model/showo-model.ts'
import { TextToImage } from './text-to-image.ts'
import { Understanding } from './understanding.ts'
import type { FromWorker, ToWorker, WireError, WorkerInit } from './worker-protocol.ts'

function toWire(error: unknown): WireError {
  if (error instanceof RunnerError) {
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(error.detail ? { detail: error.detail } : {}),
    }
  }
  const e = error instanceof Error ? error : new Error(String(error))
  return { name: e.name, message: e.message }
}

async function start(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(message, transfer)
  }
  let model: ShowoModel
  let textToImage: TextToImage
  let understanding: Understanding
  try {
    model = ShowoModel.open(init.modelDir, {
      ep: init.ep,
      ...(init.intraOpThreads ? { intraOpThreads: init.intraOpThreads } : {}),
      ...(init.deviceId === undefined ? {} : { deviceId: init.deviceId }),
    })
    textToImage = new TextToImage(model)
    understanding = new Understanding(model)
    await textToImage.load()
    if (init.loadUnderstanding) {
      await understanding.load()
    }
  } catch (error) {
    send({ type: 'init-error', error: toWire(error) })
    return
  }
  const m = model.manifest
  const resolution = m.image.resolution as Resolution
  send({
    type: 'ready',
    info: {
      name: m.name,
      sha: model.loaded.sha,
      ep: model.ep ?? init.ep,
      resolutions: [resolution],
      defaults: { ...m.defaults, resolution },
    },
  })

  const cancelled = new Map<number, string>()
  // Requests run one at a time, in arrival order; cancel messages are handled between steps.
  let queue: Promise<void> = Promise.resolve()
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'cancel':
        cancelled.set(message.jobId, message.reason)
        return
      case 'close':
        queue = queue.then(async () => {
          await model.close()
          port.close()
        })
        return
      case 'generate':
        queue = queue.then(async () => {
          try {
            const results = await textToImage.run(
              message.jobs.map((j) => ({
                params: j.params,
                cancelled: () => cancelled.get(j.jobId),
              }))
            )
            const wire = results.map((r) =>
              r.ok ? r : { ok: false as const, error: toWire(r.error) }
            )
            send({ type: 'generate-result', id: message.id, results: wire })
          } catch (error) {
            const wire = toWire(error)
            send({
              type: 'generate-result',
              id: message.id,
              results: message.jobs.map(() => ({ ok: false as const, error: wire })),
            })
          } finally {
            for (const j of message.jobs) {
              cancelled.delete(j.jobId)
            }
          }
        })
        return
      case 'understand':
        queue = queue.then(async () => {
          try {
            const value = await understanding.run({
              image: message.image,
              question: message.question,
              maxNewTokens: message.maxNewTokens,
              cancelled: () => cancelled.get(message.jobId),
            })
            send({ type: 'understand-result', id: message.id, result: { ok: true, value } })
          } catch (error) {
            send({
              type: 'understand-result',
              id: message.id,
              result: { ok: false, error: toWire(error) },
            })
          } finally {
            cancelled.delete(message.jobId)
          }
        })
        return
    }
  })
}

if (parentPort) {
  await start(parentPort, workerData as WorkerInit)
}
