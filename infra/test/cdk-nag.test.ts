import { Stack, Validations } from 'aws-cdk-lib'
import { Bucket } from 'aws-cdk-lib/aws-s3'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ENVIRONMENTS } from '../config/environments.ts'
import { createShowoApp, type ShowoApp } from '../lib/showo-app.ts'

/** Every acknowledgment recorded under `scope`, with the construct it sits on. */
function acknowledgmentsUnder(scope: IConstruct): { path: string; id: string; reason: unknown }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        }))
      )
  )
}

describe('cdk-nag AWS Solutions checks', () => {
  let showo: ShowoApp
  beforeAll(() => {
    showo = createShowoApp({
      environments: ENVIRONMENTS,
      outdir: mkdtempSync(join(tmpdir(), 'showo-nag-')),
    })
  })

  it('synthesizes every environment with no unacknowledged error (synth would throw)', () => {
    expect(() => showo.app.synth()).not.toThrow()
  })

  it('leaves no unacknowledged warning either', () => {
    showo.app.synth()
    expect(new AwsSolutionsChecks().validateScope(showo.app).violations).toEqual([])
  })

  it('gives every acknowledgment of an AWS Solutions rule a written reason', () => {
    // CDK records a few acknowledgments of its own (e.g. cfn-lint's W3010 for the explicitly
    // named zones); the ones this project wrote are the AwsSolutions ones.
    const acknowledgments = acknowledgmentsUnder(showo.app).filter(({ id }) =>
      id.includes('AwsSolutions-')
    )
    expect(acknowledgments.length).toBeGreaterThan(0)
    for (const { path, id, reason } of acknowledgments) {
      expect(typeof reason === 'string' ? reason.length : 0, `${id} on ${path}`).toBeGreaterThan(60)
    }
  })

  it('fails synth on a resource that breaks a rule, so the checks are really wired in', () => {
    const broken = createShowoApp({
      environments: [],
      outdir: mkdtempSync(join(tmpdir(), 'showo-nag-broken-')),
    })
    new Bucket(new Stack(broken.app, 'Broken'), 'PlainBucket')
    expect(() => broken.app.synth()).toThrow(/AwsSolutions-S1/)
  })
})
