import { isAbsolute, resolve } from 'node:path'

/** What `bin/app.ts` was asked to do. */
export interface SynthArgs {
  /** Absolute folder for the cloud assembly. */
  readonly outdir: string
}

/** A command line `bin/app.ts` does not understand. */
export class SynthArgsError extends Error {
  override readonly name = 'SynthArgsError'
}

/**
 * Reads `[--output DIR]` (or `--output=DIR`). Without it the cdk CLI's `CDK_OUTDIR` wins, then
 * `cdk.out`. A relative DIR is taken from where npm was started (`INIT_CWD`), so
 * `npm run -w infra synth -- --output out` at the repository root writes `./out`, not `infra/out`.
 */
export function readSynthArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string
): SynthArgs {
  let output: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--output' || arg === '-o') {
      output = argv[i + 1]
      if (output === undefined || output.startsWith('-')) {
        throw new SynthArgsError(`${arg} needs a folder, e.g. --output cdk.out`)
      }
      i++
    } else if (arg.startsWith('--output=')) {
      output = arg.slice('--output='.length)
    } else {
      throw new SynthArgsError(`unknown argument '${arg}' (usage: synth [--output DIR])`)
    }
  }
  if (output === '') {
    throw new SynthArgsError('--output needs a folder, e.g. --output cdk.out')
  }
  if (output !== undefined) {
    return { outdir: isAbsolute(output) ? output : resolve(env.INIT_CWD ?? cwd, output) }
  }
  return { outdir: env.CDK_OUTDIR ?? resolve(cwd, 'cdk.out') }
}
