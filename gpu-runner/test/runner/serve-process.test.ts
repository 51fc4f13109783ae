import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEngine, parseServeArgs } from '../../src/cli/serve.ts'
import { UsageError } from '../../src/cli/usage-error.ts'
import { runServe, type ProcessLike, type StopSignal } from '../../src/main.ts'
import { createFakeEngineFactory } from './support/fake-engine.ts'
import { sampleModelFiles, writeModelFolder } from './support/model-folder.ts'
import { TEST_SECRET } from './support/signed-request.ts'

let root: string | undefined

afterEach(async () => {
  if (root !== undefined) {
    await rm(root, { recursive: true, force: true })
  }
  root = undefined
})

/** A stand-in for `process`: its env, signals sent with emit(), exit() recorded. */
function fakeProcess(env: Record<string, string>) {
  const events = new EventEmitter()
  const exit = vi.fn<(code: number) => void>()
  const proc: ProcessLike = {
    env,
    once: (event: StopSignal, listener: (signal: StopSignal) => void) =>
      events.once(event, listener),
    exit,
  }
  return { proc, exit, signal: (name: StopSignal) => events.emit(name, name) }
}

async function modelEnv(): Promise<Record<string, string>> {
  root = await mkdtemp(join(tmpdir(), 'showo-serve-'))
  await writeModelFolder(join(root, 'model'), sampleModelFiles())
  return {
    RUNNER_SECRET: TEST_SECRET,
    RUNNER_HOST: '127.0.0.1',
    RUNNER_MODEL_URI: join(root, 'model'),
  }
}

describe('showo serve as a process', () => {
  it('serves until SIGTERM, drains and returns 0', async () => {
    const { proc, signal } = fakeProcess(await modelEnv())
    const lines: string[] = []
    const status = runServe(
      { RUNNER_PORT: '0' },
      {
        createEngine: createFakeEngineFactory(),
        write: (l) => lines.push(l),
        processMetrics: false,
      },
      proc
    )
    await vi.waitFor(
      () => {
        expect(lines.some((l) => l.includes('"msg":"ready"'))).toBe(true)
      },
      { timeout: 10_000, interval: 5 }
    )
    const url = (JSON.parse(lines[0] ?? '{}') as { url: string }).url
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    signal('SIGTERM')
    expect(await status).toBe(0)
    expect(lines.some((l) => l.includes('"msg":"stopped"') && l.includes('SIGTERM'))).toBe(true)
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })

  it('prints every configuration problem and returns 2', async () => {
    const { proc } = fakeProcess({ RUNNER_PORT: 'x', RUNNER_EP: 'tpu' })
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect(await runServe({}, { createEngine }, proc)).toBe(2)
    const message = String(printed.mock.calls[0]?.[0])
    for (const name of ['RUNNER_PORT', 'RUNNER_EP', 'RUNNER_MODEL_URI', 'RUNNER_SECRET']) {
      expect(message).toContain(name)
    }
  })

  it('refuses to start with one line when the ONNX engine cannot load the model folder', async () => {
    const { proc } = fakeProcess(await modelEnv())
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const status = await runServe(
      { RUNNER_PORT: '0' },
      { createEngine, write: () => undefined },
      proc
    )
    expect(status).toBe(1)
    expect(printed).toHaveBeenCalledTimes(1)
    // The sample folder passes the download check but holds no graphs or manifest fields.
    expect(String(printed.mock.calls[0]?.[0])).toMatch(/^showo serve: .*manifest\.json: [^\n]*$/)
  })
})

describe('showo serve arguments', () => {
  it('turns --model and --port into RUNNER_* overrides', () => {
    expect(parseServeArgs(['--model', 's3://b/m', '--port', '9000'])).toEqual({
      RUNNER_MODEL_URI: 's3://b/m',
      RUNNER_PORT: '9000',
    })
    expect(parseServeArgs([])).toEqual({})
    expect(parseServeArgs(['--help'])).toBe('help')
  })

  it('refuses unknown flags and stray arguments', () => {
    expect(() => parseServeArgs(['--modle', 'x'])).toThrow(UsageError)
    expect(() => parseServeArgs(['models/tiny'])).toThrow(UsageError)
  })
})
