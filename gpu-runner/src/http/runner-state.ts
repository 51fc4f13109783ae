import type { Batcher } from '../batcher/batcher.ts'
import type { ModelInfo } from '../engine/engine.ts'
import { ModelNotReadyError, ShuttingDownError } from '../errors.ts'

/** Body of `GET /readyz`; the edge relies on this shape. */
export interface Readiness {
  ready: boolean
  model: { name: string; sha: string } | null
  draining: boolean
}

/** What a route needs once the model is up. */
export interface Serving {
  info: ModelInfo
  batcher: Batcher
}

/** How long a caller should wait before asking a runner that is still loading again. */
const NOT_READY_RETRY_MS = 5000

/**
 * Where the runner is in its life: starting (model loading and warming) → ready → draining.
 * Routes ask it whether to admit work; main.ts moves it forward.
 */
export class RunnerState {
  #serving: Serving | null = null
  #draining = false

  /** The model is loaded and warm; requests may be admitted. */
  markReady(serving: Serving): void {
    this.#serving = serving
  }

  /** From now on no request is admitted (503 RUNNER_SHUTTING_DOWN); cannot be undone. */
  startDraining(): void {
    this.#draining = true
  }

  get draining(): boolean {
    return this.#draining
  }

  readiness(): Readiness {
    const info = this.#serving?.info
    return {
      ready: info !== undefined && !this.#draining,
      model: info ? { name: info.name, sha: info.sha } : null,
      draining: this.#draining,
    }
  }

  /** Throws the 503 a request gets while the runner drains. */
  assertAdmitting(): void {
    if (this.#draining) {
      throw new ShuttingDownError()
    }
  }

  /** The model and batcher, or the 503 that says why there are none. */
  requireServing(): Serving {
    this.assertAdmitting()
    if (!this.#serving) {
      throw new ModelNotReadyError(NOT_READY_RETRY_MS)
    }
    return this.#serving
  }
}
