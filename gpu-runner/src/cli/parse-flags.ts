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
  return rangeFlag(value, flag, min, max, true)
}

/** A number flag within [min, max]. */
export function numberFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number
): number | undefined {
  return rangeFlag(value, flag, min, max, false)
}

function rangeFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
  integer: boolean
): number | undefined {
  if (value === undefined) {
    return undefined
  }
  const n = Number(value)
  const wellFormed = integer
    ? /^-?\d+$/.test(value.trim()) && Number.isSafeInteger(n)
    : value.trim() !== '' && Number.isFinite(n)
  if (!wellFormed || n < min || n > max) {
    const kind = integer ? 'an integer' : 'a number'
    throw new UsageError(`--${flag} must be ${kind} from ${min} to ${max}, got '${value}'`)
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
