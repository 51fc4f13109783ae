import { CheckpointError } from '../checkpoint/checkpoint-error.ts'

/** The ten tokens Show-o appends to phi-1.5's vocabulary, in id order (spec §1.3, §2). */
export const SHOWO_ADDED_TOKENS = [
  '[PAD]',
  '<|soi|>',
  '<|eoi|>',
  '<|sov|>',
  '<|eov|>',
  '<|t2i|>',
  '<|mmu|>',
  '<|t2v|>',
  '<|v2v|>',
  '<|lvg|>',
] as const

/** The end-of-text token that phi-1.5 uses as bos, eos and unk. */
export const END_OF_TEXT = '<|endoftext|>'

/** The parts of a Hugging Face `tokenizer.json` this code reads or writes. */
export interface TokenizerJson {
  added_tokens?: AddedTokenJson[]
  model: { type: string; vocab: Record<string, number>; merges?: unknown[]; [key: string]: unknown }
  [key: string]: unknown
}

/** One `added_tokens` entry. */
export interface AddedTokenJson {
  id: number
  content: string
  single_word: boolean
  lstrip: boolean
  rstrip: boolean
  normalized: boolean
  special: boolean
}

/** Result of {@link addShowoTokens}. */
export interface ShowoTokenizer {
  json: TokenizerJson
  /** Size of the text vocabulary before Show-o's tokens (phi-1.5: 50295). */
  textVocabSize: number
  endOfText: number
}

/**
 * Appends Show-o's ten tokens after the text vocabulary (`textVocabSize` ids, phi-1.5: 50295), as
 * `UniversalPrompting` does with `add_special_tokens({'pad_token': '[PAD]'})` and `add_tokens(...)`.
 * A tokenizer that already holds them at the right ids is kept as is.
 */
export function addShowoTokens(
  source: unknown,
  path: string,
  textVocabSize: number
): ShowoTokenizer {
  const json = parseTokenizerJson(source, path)
  const added = [...(json.added_tokens ?? [])]
  const known = new Map<string, number>(Object.entries(json.model.vocab))
  for (const t of added) {
    known.set(t.content, t.id)
  }
  const endOfText = known.get(END_OF_TEXT)
  if (endOfText === undefined) {
    throw new CheckpointError(`${path}: the tokenizer has no ${END_OF_TEXT} token`)
  }
  const existing = SHOWO_ADDED_TOKENS.map((t) => known.get(t))
  const showo: readonly string[] = SHOWO_ADDED_TOKENS
  const outside = [...known.entries()].find(
    ([content, id]) => !showo.includes(content) && id >= textVocabSize
  )
  if (outside) {
    throw new CheckpointError(
      `${path}: token '${outside[0]}' has id ${outside[1]}, beyond the model's text vocabulary of ${textVocabSize}`
    )
  }
  if (existing.every((id, i) => id === textVocabSize + i)) {
    return { json, textVocabSize, endOfText }
  }
  if (existing.some((id) => id !== undefined)) {
    throw new CheckpointError(
      `${path}: the tokenizer holds some of Show-o's tokens at unexpected ids`
    )
  }
  SHOWO_ADDED_TOKENS.forEach((content, i) => {
    added.push({
      id: textVocabSize + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: content === '[PAD]',
    })
  })
  return { json: { ...json, added_tokens: added }, textVocabSize, endOfText }
}

function parseTokenizerJson(source: unknown, path: string): TokenizerJson {
  const model = (source as { model?: { type?: unknown; vocab?: unknown } } | null)?.model
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof model?.vocab !== 'object' ||
    model.vocab === null
  ) {
    throw new CheckpointError(`${path}: not a Hugging Face tokenizer.json (no model.vocab)`)
  }
  if (model.type !== 'BPE') {
    throw new CheckpointError(
      `${path}: expected phi-1.5's BPE tokenizer, found model type ${String(model.type)}`
    )
  }
  return source as TokenizerJson
}
