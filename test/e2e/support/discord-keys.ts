import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto'

/** An Ed25519 key pair like a Discord application's; the public key as the hex Discord shows. */
export interface DiscordKeyPair {
  publicKeyHex: string
  privateKey: KeyObject
}

/** Makes a fresh key pair (node:crypto). */
export function makeDiscordKeys(): DiscordKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = publicKey.export({ format: 'jwk' })
  if (!jwk.x) {
    throw new Error('ed25519 public key without x')
  }
  const raw = Buffer.from(jwk.x, 'base64url')
  if (raw.length !== 32) {
    throw new Error(`ed25519 public key of ${raw.length} bytes`)
  }
  return { publicKeyHex: raw.toString('hex'), privateKey }
}

/** Discord's request headers: Ed25519 over `timestamp + body`, hex. */
export function signInteraction(
  privateKey: KeyObject,
  body: string,
  timestampS = Math.floor(Date.now() / 1000)
): Record<string, string> {
  const timestamp = String(timestampS)
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex')
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }
}
