import { describe, it } from 'vitest'
import { discordKeys, signDiscord } from '../../test/discord-signing.ts'
import { verifyDiscordRequest } from './verify.ts'

describe('verifyDiscordRequest', () => {
  it('accepts a good signature and refuses tampering, other keys, and old timestamps', async ({
    expect,
  }) => {
    const { publicKeyHex, privateKey } = await discordKeys()
    const other = await discordKeys()
    const body = '{"type":1}'
    const now = 1_700_000_000
    const h = await signDiscord(privateKey, body, now)
    const sig = h['x-signature-ed25519']
    const ts = h['x-signature-timestamp']
    expect(await verifyDiscordRequest(publicKeyHex, sig, ts, body, now)).toBe('ok')
    expect(await verifyDiscordRequest(publicKeyHex, sig, ts, body + ' ', now)).toBe('forged')
    expect(await verifyDiscordRequest(other.publicKeyHex, sig, ts, body, now)).toBe('forged')
    expect(await verifyDiscordRequest(publicKeyHex, sig, ts, body, now + 301)).toBe('stale')
    expect(await verifyDiscordRequest(publicKeyHex, 'zz', ts, body, now)).toBe('forged')
    expect(await verifyDiscordRequest(publicKeyHex, undefined, ts, body, now)).toBe('missing')
  })
})
