import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const infraDir = dirname(dirname(fileURLToPath(import.meta.url)))
const STACKS = ['Showo-Dev-Artifacts', 'Showo-Dev', 'Showo-Prod-Artifacts', 'Showo-Prod']

describe('bin/app.ts', () => {
  it('writes every CloudFormation template into --output, offline and without credentials', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'showo-synth-')), 'assembly')
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // No AWS credentials or region: synth must not need them.
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    const stdout = execFileSync('npx', ['tsx', 'bin/app.ts', '--output', out], {
      cwd: infraDir,
      env,
      encoding: 'utf8',
    })
    for (const stack of STACKS) {
      expect(stdout).toContain(`${stack}: ${join(out, `${stack}.template.json`)}`)
      expect(existsSync(join(out, `${stack}.template.json`))).toBe(true)
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      missing?: unknown[]
      artifacts: Record<string, { dependencies?: string[] }>
    }
    // A context lookup would show up here and make `cdk deploy` query AWS first.
    expect(manifest.missing).toBeUndefined()
    // The image and the model must be in place before a runner stack starts a task.
    expect(manifest.artifacts['Showo-Dev']?.dependencies).toContain('Showo-Dev-Artifacts')
    expect(manifest.artifacts['Showo-Prod']?.dependencies).toContain('Showo-Prod-Artifacts')
  })
})
