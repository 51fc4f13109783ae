/** A checkpoint that cannot be used: bad file, bad header, or a tensor that does not match. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError'
}
