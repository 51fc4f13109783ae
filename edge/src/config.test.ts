import { describe, it } from 'vitest'
import { readConfig, requireSetting } from './config.ts'
import type { Env } from './env.ts'
import { EdgeError } from './errors.ts'

const bindings = {} as Env

describe('readConfig', () => {
  it('applies defaults and reports missing settings by name', ({ expect }) => {
    const config = readConfig({ ...bindings })
    expect(config.runner).toEqual({ ok: false, missing: 'RUNNER_URL' })
    expect(config.discordPublicKey).toEqual({ ok: false, missing: 'DISCORD_PUBLIC_KEY' })
    expect(config.rateLimit).toEqual({ perKey: 60, perIp: 20, windowS: 60 })
    expect(config.allowAnonymous).toBe(true)
    expect(config.discordApiBase).toBe('https://discord.com/api/v10')
    expect(() => requireSetting(config.runner)).toThrow(/RUNNER_URL/)
  })

  it('needs the secret as well as the URL, and treats blank vars as unset', ({ expect }) => {
    const config = readConfig({ ...bindings, RUNNER_URL: 'http://r:8080/', RUNNER_SECRET: ' ' })
    expect(config.runner).toEqual({ ok: false, missing: 'RUNNER_SECRET' })
    const ok = readConfig({ ...bindings, RUNNER_URL: 'http://r:8080/', RUNNER_SECRET: 's' })
    expect(requireSetting(ok.runner)).toMatchObject({
      url: 'http://r:8080',
      timeoutMs: 60_000,
      maxAttempts: 3,
      modelSha: undefined,
    })
  })

  it('refuses a malformed setting with NOT_CONFIGURED naming it', ({ expect }) => {
    const bad = (): unknown =>
      readConfig({
        ...bindings,
        RUNNER_URL: 'http://r',
        RUNNER_SECRET: 's',
        RUNNER_TIMEOUT_MS: '1s',
      })
    expect(bad).toThrow(EdgeError)
    expect(bad).toThrow(/RUNNER_TIMEOUT_MS/)
    expect(() => readConfig({ ...bindings, RUNNER_URL: 'ftp://r', RUNNER_SECRET: 's' })).toThrow(
      /RUNNER_URL/
    )
  })
})
