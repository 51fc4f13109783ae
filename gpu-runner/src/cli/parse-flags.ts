import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './usage-error.ts'

type Options = NonNullable<ParseArgsConfig['options']>

/** Parses a command's flags strictly; unknown or malformed flags become a {@link UsageError}. */
export function parseFlags<T extends Options>(
  args: string[],
  options: T
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error))
  }
}

/** A required string flag. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(`--${flag} is required`)
  }
  return value
}

/** A required text flag, trimmed, with 1 to `maxChars` characters. */
export function textFlag(value: string | undefined, flag: string, maxChars: number): string {
  const text = required(value, flag).trim()
  if (text === '' || text.length > maxChars) {
    throw new UsageError(`--${flag} must have 1 to ${maxChars} characters`)
  }
  return text
}

/** An integer flag within [min, max]. */
export function intFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number
): number | undefined {
  if (value === undefined) {
    return undefined
  }
  const n = Number(value)
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got '${value}'`)
  }
  return n
}

/** A number flag within [min, max]. */
export function numberFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number
): number | undefined {
  if (value === undefined) {
    return undefined
  }
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a number from ${min} to ${max}, got '${value}'`)
  }
  return n
}

/** A flag restricted to a list of values. */
export function choiceFlag<C extends string>(
  value: string | undefined,
  flag: string,
  choices: readonly C[]
): C | undefined {
  if (value === undefined) {
    return undefined
  }
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`)
  }
  return value as C
}
