/** The model folder cannot be served: a file is missing, of the wrong size or hash, or the manifest is bad. */
export class ModelVerificationError extends Error {
  override readonly name = 'ModelVerificationError'
  constructor(
    message: string,
    /** The file (relative to the model folder) that failed, when one did. */
    readonly file?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}
