import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'vitest'
import { registerCommands } from '../scripts/register-commands.ts'

describe('register-commands script', () => {
  it('bulk-overwrites /imagine for a guild with the bot token', async ({ expect }) => {
    const seen: { method?: string; url?: string; auth?: string; body: string }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body })
        res.setHeader('content-type', 'application/json')
        res.end(body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      await registerCommands({
        apiBase: `http://127.0.0.1:${port}/api/v10`,
        applicationId: 'app-9',
        botToken: 'bot-token',
        guildId: 'guild-1',
      })
    } finally {
      server.close()
    }
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      url: '/api/v10/applications/app-9/guilds/guild-1/commands',
      auth: 'Bot bot-token',
    })
    const commands = JSON.parse(seen[0]?.body ?? '[]') as {
      name: string
      options: { name: string; required: boolean }[]
    }[]
    expect(commands.map((c) => c.name)).toEqual(['imagine'])
    expect(commands[0]?.options.map((o) => [o.name, o.required])).toEqual([
      ['prompt', true],
      ['seed', false],
      ['steps', false],
    ])
  })
})
