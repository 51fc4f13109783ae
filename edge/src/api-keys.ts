import { sha256Hex } from './sha256-hex.ts'

/** Every key starts with this, so leaked keys are easy to find by secret scanners. */
export const API_KEY_PREFIX = 'sk-showo-'

/** What is stored for a key (under the SHA-256 of the key; the key itself is never stored). */
export interface ApiKeyRecord {
  /** Short public id: the first 12 hex characters of the hash. */
  id: string
  name: string
  createdAt: string
  /** Overrides RATE_LIMIT_PER_KEY for this key. */
  ratePerWindow?: number
}

function kvName(hash: string): string {
  return `key:${hash}`
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
}

/** Makes a new random key (256 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + toBase64Url(crypto.getRandomValues(new Uint8Array(32)))
}

/**
 * Hashes a key for storage. Plain SHA-256 is enough: keys are 256-bit random, so there is nothing
 * for a slow password hash to protect against, and lookups stay one KV read.
 */
export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key)
}

/** Finds the record of a presented key; null when unknown or revoked. */
export async function lookupApiKey(kv: KVNamespace, key: string): Promise<ApiKeyRecord | null> {
  if (!key.startsWith(API_KEY_PREFIX)) {
    return null
  }
  return kv.get<ApiKeyRecord>(kvName(await hashApiKey(key)), { type: 'json', cacheTtl: 60 })
}

/** Creates and stores a key; the plaintext is returned once and kept nowhere. */
export async function createApiKey(
  kv: KVNamespace,
  name: string,
  ratePerWindow?: number
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = generateApiKey()
  const hash = await hashApiKey(key)
  const record: ApiKeyRecord = {
    id: hash.slice(0, 12),
    name,
    createdAt: new Date().toISOString(),
    ...(ratePerWindow === undefined ? {} : { ratePerWindow }),
  }
  await kv.put(kvName(hash), JSON.stringify(record))
  return { key, record }
}
