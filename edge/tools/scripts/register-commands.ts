/**
 * Registers the bot's slash commands (bulk overwrite, so removed commands disappear):
 *   DISCORD_APPLICATION_ID=… DISCORD_BOT_TOKEN=… [DISCORD_GUILD_ID=…] npm run -w edge register-commands
 * A guild id registers instantly for that server (use it while developing); without one the
 * commands are global. DISCORD_API_BASE points it elsewhere (tests use a local recorder).
 */
import { pathToFileURL } from 'node:url'
import { COMMANDS } from '../../src/discord/commands.ts'

/** Where and as whom to register. */
export interface RegisterOptions {
  apiBase: string
  applicationId: string
  botToken: string
  guildId: string | undefined
}

/** PUTs every command definition; throws with Discord's answer when it refuses. */
export async function registerCommands(options: RegisterOptions): Promise<unknown> {
  const scope = options.guildId ? `/guilds/${options.guildId}` : ''
  const url = `${options.apiBase}/applications/${options.applicationId}${scope}/commands`
  const res = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bot ${options.botToken}` },
    body: JSON.stringify(COMMANDS),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  if (!res.ok) {
    throw new Error(`Discord refused the commands (HTTP ${res.status}): ${text}`)
  }
  return JSON.parse(text) as unknown
}

function required(name: string): string {
  const value = process.env[name]?.trim()
  if (!value) {
    throw new Error(`${name} is not set (see .dev.vars.example)`)
  }
  return value
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await registerCommands({
      apiBase: process.env.DISCORD_API_BASE?.trim() || 'https://discord.com/api/v10',
      applicationId: required('DISCORD_APPLICATION_ID'),
      botToken: required('DISCORD_BOT_TOKEN'),
      guildId: process.env.DISCORD_GUILD_ID?.trim() || undefined,
    })
    console.log(`registered: ${COMMANDS.map((c) => `/${c.name}`).join(', ')}`)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  }
}
