/**
 * Creates an API key and stores its hash with wrangler (the admin route `POST /admin/keys` does the
 * same over HTTP when ADMIN_TOKEN is set):
 *   npm run -w edge create-api-key -- <name> [--remote] [--rate <requests per window>]
 * Without --remote it writes to the local state that `wrangler dev` reads. The key is printed
 * once; only its SHA-256 is stored.
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import {
  apiKeyKvName,
  generateApiKey,
  hashApiKey,
  toApiKeyRecord,
} from '../../src/api-key-record.ts'
import { WRANGLER_CONFIG } from '../start-edge.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { remote: { type: 'boolean', default: false }, rate: { type: 'string' } },
})
const name = positionals[0]
const rate = values.rate === undefined ? undefined : Number(values.rate)
if (!name || (rate !== undefined && !(Number.isInteger(rate) && rate > 0))) {
  console.error('usage: create-api-key <name> [--remote] [--rate <positive integer>]')
  process.exit(1)
}
const key = generateApiKey()
const hash = await hashApiKey(key)
const record = toApiKeyRecord(hash, name, rate)
const result = spawnSync(
  'npx',
  [
    'wrangler',
    'kv',
    'key',
    'put',
    '--config',
    WRANGLER_CONFIG,
    '--binding',
    'API_KEYS',
    values.remote ? '--remote' : '--local',
    apiKeyKvName(hash),
    JSON.stringify(record),
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] }
)
if (result.status !== 0) {
  console.error('wrangler kv key put failed; nothing was stored')
  process.exit(1)
}
console.log(`\nAPI key for "${name}" (shown once):\n${key}`)
