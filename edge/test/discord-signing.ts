/** A Discord-like Ed25519 key pair for tests; the public key as the hex Discord shows. */
export async function discordKeys(): Promise<{ publicKeyHex: string; privateKey: CryptoKey }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const raw = (await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer
  const publicKeyHex = Array.from(new Uint8Array(raw), (b) => b.toString(16).padStart(2, '0')).join(
    ''
  )
  return { publicKeyHex, privateKey: pair.privateKey }
}

/** Signs `timestamp + body` as Discord does; returns the two headers. */
export async function signDiscord(
  privateKey: CryptoKey,
  body: string,
  timestampS: number = Math.floor(Date.now() / 1000)
): Promise<Record<string, string>> {
  const timestamp = String(timestampS)
  const sig = await crypto.subtle.sign(
    'Ed25519',
    privateKey,
    new TextEncoder().encode(timestamp + body)
  )
  const hex = Array.from(new Uint8Array(sig), (b) => b.toString(16).padStart(2, '0')).join('')
  return { 'x-signature-ed25519': hex, 'x-signature-timestamp': timestamp }
}
