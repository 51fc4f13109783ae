/** Request limits shared by the edge and the runner: one source of truth. */
export const LIMITS = {
  /** Characters; Show-o keeps at most 126 prompt tokens anyway (spec §2). */
  promptMaxChars: 2000,
  /** Understanding questions (S2 rejects prompts over 1024 characters). */
  questionMaxChars: 1024,
  stepsMin: 1,
  stepsMax: 50,
  topKMin: 1,
  topKMax: 8192,
  guidanceMin: 0,
  guidanceMax: 20,
  seedMax: 0xffff_ffff,
  resolutions: [256, 512] as const,
  /** Largest answer the runner will produce for one understanding request. */
  maxNewTokensMax: 512,
  /** Encoded image bytes accepted for understanding. */
  imageMaxBytes: 8 * 1024 * 1024,
  /** Decoded pixels accepted for understanding (a decompression bomb is refused). */
  imageMaxPixels: 40_000_000,
  /** Images per OpenAI-style generation request. */
  nMax: 4,
} as const
