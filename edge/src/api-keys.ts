import {
  API_KEY_PREFIX,
  apiKeyKvName,
  generateApiKey,
  hashApiKey,
  toApiKeyRecord,
  type ApiKeyRecord,
} from './api-key-record.ts'

/** Finds the record of a presented key; null when unknown or revoked. */
export async function lookupApiKey(kv: KVNamespace, key: string): Promise<ApiKeyRecord | null> {
  if (!key.startsWith(API_KEY_PREFIX)) {
    return null
  }
  return kv.get<ApiKeyRecord>(apiKeyKvName(await hashApiKey(key)), { type: 'json', cacheTtl: 60 })
}

/** Creates and stores a key; the plaintext is returned once and kept nowhere. */
export async function createApiKey(
  kv: KVNamespace,
  name: string,
  ratePerWindow?: number
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = generateApiKey()
  const hash = await hashApiKey(key)
  const record = toApiKeyRecord(hash, name, ratePerWindow)
  await kv.put(apiKeyKvName(hash), JSON.stringify(record))
  return { key, record }
}
