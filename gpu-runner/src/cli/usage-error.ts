/** A problem with the command line or its inputs: printed as one line, exit status 2, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
