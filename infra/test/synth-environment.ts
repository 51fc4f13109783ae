import { Template } from 'aws-cdk-lib/assertions'
import { DEV, type RunnerEnvironment } from '../config/environments.ts'
import type { RunnerStack } from '../lib/runner-stack.ts'
import { createShowoApp, type ShowoApp } from '../lib/showo-app.ts'

/** A valid environment for tests: DEV with some fields replaced. */
export function testEnvironment(overrides: Partial<RunnerEnvironment> = {}): RunnerEnvironment {
  return { ...DEV, name: 'test', ...overrides }
}

/** One environment synthesized the way `bin/app.ts` does it, with cdk-nag attached. */
export interface SynthesizedEnvironment {
  readonly showo: ShowoApp
  readonly stack: RunnerStack
  /** The runner stack's template. */
  readonly template: Template
  /** The artifacts stack's template (image repository, model bucket). */
  readonly artifacts: Template
}

/** Builds the app for `environment` alone and synthesizes its runner stack. */
export function synthEnvironment(environment: RunnerEnvironment): SynthesizedEnvironment {
  const showo = createShowoApp({ environments: [environment] })
  const stacks = showo.stacks.get(environment.name)
  if (stacks === undefined) {
    throw new Error(`createShowoApp made no stacks for ${environment.name}`)
  }
  return {
    showo,
    stack: stacks.runner,
    template: Template.fromStack(stacks.runner),
    artifacts: Template.fromStack(stacks.artifacts),
  }
}

/** The one resource of `type` in `template`, failing when there are none or several. */
export function onlyResource(
  template: Template,
  type: string
): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type))
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${found.length}`)
  }
  const [id, resource] = found[0] as [string, { Properties: Record<string, unknown> }]
  return { id, properties: resource.Properties }
}

/** The parts of a synthesized template the tests read directly. */
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>
  readonly Outputs: Record<string, { Value: unknown }>
  readonly Parameters: Record<string, { Type: string; Default?: unknown }>
}

/** `template.toJSON()` with a type. */
export function templateJson(template: Template): TemplateJson {
  return template.toJSON() as TemplateJson
}
