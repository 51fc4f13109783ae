// `npm start`: the whole product on this machine. Makes the tiny model when no model folder is
// configured, starts the runner (CPU EP) and the edge under `wrangler dev` on loopback, wires the
// secret between them, prints the URLs, and stops both on Ctrl-C.
//
//   npm start [-- --model DIR] [--ep cpu|webgpu|cuda] [--edge-port 8787] [--runner-port 8080]
//   (or SHOWO_MODEL=DIR npm start)
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { startLocalStack } from './stack/local-stack.ts'

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    ep: { type: 'string', default: 'cpu' },
    'edge-port': { type: 'string', default: '8787' },
    'runner-port': { type: 'string', default: '8080' },
    verbose: { type: 'boolean', default: false },
  },
})
const model = values.model ?? process.env.SHOWO_MODEL
const quiet = (line: string): void => {
  if (values.verbose || !line.startsWith('[') || /error|warn|ready|listening/i.test(line)) {
    console.log(line)
  }
}
console.log('starting the runner and the edge…')
const adminToken = randomBytes(16).toString('hex')
const stack = await startLocalStack({
  ...(model ? { model } : {}),
  edgeVars: { ADMIN_TOKEN: adminToken },
  ep: values.ep,
  edgePort: Number(values['edge-port']),
  runnerPort: Number(values['runner-port']),
  log: quiet,
})
// An API key for this session, for clients that always send one (the OpenAI libraries do).
const keyResponse = await fetch(`${stack.edgeUrl}/admin/keys`, {
  method: 'POST',
  headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'npm start' }),
})
const apiKey = keyResponse.ok
  ? ((await keyResponse.json()) as { key: string }).key
  : '(could not create one)'
console.log(`
Show-o Turbo is up (model ${stack.model}).

  playground   ${stack.edgeUrl}/
  API          ${stack.edgeUrl}/v1/images/generations   (OpenAPI: ${stack.edgeUrl}/openapi.json)
  runner       ${stack.runnerUrl}   (internal; /readyz, /metrics)
  API key      ${apiKey}   (anonymous calls work too, rate-limited per address)

Try:
  curl -s ${stack.edgeUrl}/v1/images/generations -H 'content-type: application/json' \\
    -d '{"prompt":"a lighthouse at sunset","seed":7}'

Ctrl-C stops both.
`)
let stopping = false
const stop = (signal: string): void => {
  if (stopping) {
    return
  }
  stopping = true
  console.log(`\n${signal}: stopping the edge and draining the runner…`)
  stack.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
process.on('SIGINT', () => {
  stop('SIGINT')
})
process.on('SIGTERM', () => {
  stop('SIGTERM')
})
