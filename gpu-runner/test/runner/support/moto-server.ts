import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** The moto version .ci/run installs; the tests need its S3 server mode. */
export const MOTO_INSTALL = "python3 -m pip install 'moto[server]==5.2.1'"

/** A running moto S3 server on loopback. */
export interface MotoServer {
  endpoint: string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => {
        resolve(port)
      })
    })
  })
}

/**
 * Starts `python3 -m moto.server` on a free loopback port and waits until it answers. Fails
 * (never skips) with the install command when moto is missing.
 */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', resolve)
    child.once('error', () => {
      resolve(null)
    })
  })
  const status = { gone: false }
  void exited.then(() => {
    status.gone = true
  })
  for (let attempt = 0; ; attempt++) {
    if (status.gone) {
      throw new Error(`moto server did not start (${stderr.trim()}); install it: ${MOTO_INSTALL}`)
    }
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (r) => r.ok,
      () => false
    )
    if (up) {
      break
    }
    if (attempt > 600) {
      child.kill('SIGKILL')
      throw new Error(`moto server did not answer on ${endpoint}: ${stderr.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    endpoint,
    stop: async () => {
      if (!status.gone) {
        child.kill('SIGTERM')
        await exited
      }
    },
  }
}
