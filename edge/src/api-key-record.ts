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

/** KV name under which a key's record is stored. */
export function apiKeyKvName(hash: string): string {
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

/** Builds the record stored for a new key (shared by the admin route and the CLI script). */
export function toApiKeyRecord(hash: string, name: string, ratePerWindow?: number): ApiKeyRecord {
  return {
    id: hash.slice(0, 12),
    name,
    createdAt: new Date().toISOString(),
    ...(ratePerWindow === undefined ? {} : { ratePerWindow }),
  }
}
