import type { TokenizerJson } from './tokenizer-json.ts'
import { END_OF_TEXT } from './tokenizer-json.ts'

/** GPT-2's pre-tokenizer pattern, as phi-1.5's tokenizer.json uses it. */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu

/** GPT-2's reversible byte → printable character table. */
export function byteToUnicode(): string[] {
  const printable = new Set<number>()
  for (const [a, b] of [
    [33, 126],
    [161, 172],
    [174, 255],
  ] as const) {
    for (let i = a; i <= b; i++) {
      printable.add(i)
    }
  }
  let extra = 0
  return Array.from({ length: 256 }, (_, b) =>
    String.fromCodePoint(printable.has(b) ? b : 256 + extra++)
  )
}

/**
 * Trains a small byte-level BPE tokenizer in phi-1.5's format (GPT-2 pre-tokenizer, byte-level
 * model, `<|endoftext|>` as the last id), for the tiny test models. Deterministic: ties between
 * equally frequent pairs go to the pair seen first.
 */
export function trainByteLevelBpe(corpus: readonly string[], merges: number): TokenizerJson {
  const table = byteToUnicode()
  const encoder = new TextEncoder()
  const words = new Map<string, number>()
  for (const text of corpus) {
    for (const piece of text.match(GPT2_SPLIT) ?? []) {
      const mapped = Array.from(encoder.encode(piece), (b) => table[b] ?? '').join('\u0000')
      words.set(mapped, (words.get(mapped) ?? 0) + 1)
    }
  }
  let symbols = [...words.entries()].map(([w, n]) => ({ parts: w.split('\u0000'), n }))
  const vocab: Record<string, number> = {}
  table.forEach((ch, i) => {
    vocab[ch] = i
  })
  const mergeList: string[] = []
  for (let m = 0; m < merges; m++) {
    const counts = new Map<string, number>()
    for (const { parts, n } of symbols) {
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]} ${parts[i + 1]}`
        counts.set(key, (counts.get(key) ?? 0) + n)
      }
    }
    let best: string | undefined
    let bestCount = 1
    for (const [key, n] of counts) {
      if (n > bestCount) {
        best = key
        bestCount = n
      }
    }
    if (!best) {
      break
    }
    const [a = '', b = ''] = best.split(' ')
    mergeList.push(best)
    vocab[a + b] = Object.keys(vocab).length
    symbols = symbols.map(({ parts, n }) => {
      const out: string[] = []
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === a && parts[i + 1] === b) {
          out.push(a + b)
          i++
        } else {
          out.push(parts[i] ?? '')
        }
      }
      return { parts: out, n }
    })
  }
  const eot = Object.keys(vocab).length
  vocab[END_OF_TEXT] = eot
  const byteLevel = {
    type: 'ByteLevel',
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: eot,
        content: END_OF_TEXT,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: mergeList,
    },
  }
}
