import { readFileSync } from 'node:fs'
import { Tokenizer } from '@huggingface/tokenizers'
import type { TokenLayout } from './manifest.ts'
import { ModelFolderError } from './manifest.ts'

/**
 * phi-1.5's BPE tokenizer (from the model folder's tokenizer.json, through the maintained
 * `@huggingface/tokenizers` library) plus Show-o's prompt layouts.
 */
export class ShowoTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly layout: TokenLayout
  ) {}

  /** Loads `tokenizer.json` and checks it against the manifest's token layout. */
  static load(path: string, layout: TokenLayout): ShowoTokenizer {
    let json: unknown
    try {
      json = JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      throw new ModelFolderError(`${path}: cannot read the tokenizer (${(error as Error).message})`)
    }
    const tokenizer = new Tokenizer(json as object, {})
    const expect: [string, number][] = [
      ['[PAD]', layout.pad],
      ['<|soi|>', layout.soi],
      ['<|eoi|>', layout.eoi],
      ['<|t2i|>', layout.t2i],
      ['<|mmu|>', layout.mmu],
      ['<|endoftext|>', layout.bos],
    ]
    for (const [token, id] of expect) {
      const actual = tokenizer.token_to_id(token)
      if (actual !== id) {
        throw new ModelFolderError(
          `${path}: token ${token} has id ${String(actual)}, the manifest says ${id}`
        )
      }
    }
    return new ShowoTokenizer(tokenizer, layout)
  }

  /** Plain BPE ids of a text (no bos/eos added; phi-1.5 adds none). */
  encode(text: string): number[] {
    return text === '' ? [] : this.tokenizer.encode(text).ids
  }

  /** Text of ids, special tokens removed. */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true })
  }

  /** Length of the text block: max_seq_length + 1 (129 for the real models). */
  get textBlockLength(): number {
    return this.layout.maxTextLength + 1
  }

  /**
   * The text block of a text-to-image prompt (S1 `t2i_gen_prompt`, spec §3.1):
   * `[PAD]… <|t2i|> bos prompt eos`, left-padded to the block length; a prompt that does not fit keeps
   * its first tokens and ends with eos. The empty prompt gives the unconditional block.
   */
  textToImageBlock(prompt: string): number[] {
    const t = this.layout
    let text = this.encode(prompt)
    if (text[0] !== t.bos) {
      text = [t.bos, ...text]
    }
    const ids = [t.t2i, ...text, t.eos]
    const block = this.textBlockLength
    if (ids.length <= block) {
      return [...Array<number>(block - ids.length).fill(t.pad), ...ids]
    }
    return [...ids.slice(0, block - 1), t.eos]
  }

  /**
   * An understanding prompt (S2 `preprocess_data`, spec §4.1): `<|mmu|> <|soi|> image <|eoi|> <|sot|>`
   * then `USER: \n{question} ASSISTANT:` with newlines and `<image>` tags removed from the question.
   */
  understandingPrompt(codes: ArrayLike<number>, question: string): number[] {
    const t = this.layout
    const clean = question.replaceAll('\n', ' ').replaceAll('<image>', '')
    const image = Array.from(codes, (c) => c + t.imageOffset)
    return [t.mmu, t.soi, ...image, t.eoi, t.bos, ...this.encode(`USER: \n${clean} ASSISTANT:`)]
  }
}
