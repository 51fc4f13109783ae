import { DockerIgnoreStrategy } from 'aws-cdk-lib'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { MODEL_CACHE_PATH } from '../lib/constructs/gpu-service.ts'
import { RUNNER_CONTAINER_PORT } from '../lib/runner-stack.ts'

// The image is built and linted (hadolint) in CI, never here; these checks keep it consistent
// with what the stack expects of it, and keep the build context from leaking or missing files.
const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))))
const dockerfile = readFileSync(join(root, 'gpu-runner/Dockerfile'), 'utf8')
const context = new DockerIgnoreStrategy(
  root,
  readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
)

/** Source paths of the `COPY` instructions that read the build context (not another stage). */
function contextCopySources(): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
    .flatMap((line) => line.split(/\s+/).slice(1, -1))
}

describe('runner image', () => {
  it('builds on a CUDA 12 + cuDNN runtime base with Node 20', () => {
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:12\.[\d.]+-cudnn-runtime-/m)
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20\./m)
  })

  it('installs the CUDA execution provider at build time and fails the build without it', () => {
    expect(dockerfile).toContain('script/install --onnxruntime-node-install=cuda12')
    expect(dockerfile).toContain('test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/')
  })

  it('listens on the port the task definition maps and writes its cache where ECS mounts it', () => {
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${RUNNER_CONTAINER_PORT}$`, 'm'))
    expect(dockerfile).toContain(`RUNNER_PORT=${RUNNER_CONTAINER_PORT}`)
    expect(dockerfile).toContain(`RUNNER_CACHE_DIR=${MODEL_CACHE_PATH}`)
    expect(dockerfile).toContain(`mkdir -p ${MODEL_CACHE_PATH}`)
  })

  it('runs as a numeric non-root user, with tini as PID 1 and no npm wrapper', () => {
    const users = dockerfile.match(/^USER (.+)$/gm) ?? []
    expect(users).toEqual(['USER 10001:10001'])
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", /m)
  })

  it('copies only context paths that exist and that .dockerignore lets through', () => {
    const sources = contextCopySources()
    expect(sources).toContain('package-lock.json')
    for (const source of sources) {
      // A folder is copied minus its ignored files; its package.json must get through.
      const path = join(root, source.endsWith('/') ? `${source}package.json` : source)
      expect({ source, exists: existsSync(path), ignored: context.ignores(path) }).toEqual({
        source,
        exists: true,
        ignored: false,
      })
    }
  })

  it('keeps secrets, models, git data, dependencies and tests out of the build context', () => {
    for (const path of [
      '.dev.vars',
      '.git/config',
      'models/showo/transformer.onnx',
      'node_modules/hono/package.json',
      'gpu-runner/node_modules/x/index.js',
      'gpu-runner/src/config.test.ts',
      'gpu-runner/test/golden/vq.test.ts',
      'edge/src/app.ts',
      'infra/lib/runner-stack.ts',
    ]) {
      expect({ path, ignored: context.ignores(join(root, path)) }).toEqual({ path, ignored: true })
    }
    for (const path of ['gpu-runner/src/main.ts', 'gpu-runner/src/engine/engine-worker.mjs']) {
      expect({ path, ignored: context.ignores(join(root, path)) }).toEqual({ path, ignored: false })
    }
  })
})
