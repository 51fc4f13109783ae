// Vitest matchers over CDK's assertions API, so template checks read as `expect(...)` and
// count as assertions for the linter.
import { Template } from 'aws-cdk-lib/assertions'
import { expect } from 'vitest'

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must match vitest's own declaration
  interface Matchers<T = any> {
    /** The template has a resource of `type` whose properties match (CDK `Match` allowed). */
    toHaveResourceProperties(type: string, properties: unknown): T
    /** Every resource of `type` in the template matches (CDK `Match` allowed). */
    toHaveOnlyResourcesWithProperties(type: string, properties: unknown): T
    /** The template has exactly `count` resources of `type`. */
    toHaveResourceCount(type: string, count: number): T
  }
}

function check(received: unknown, assertion: (template: Template) => void, what: string) {
  if (!(received instanceof Template)) {
    return { pass: false, message: () => 'expected a CDK assertions Template' }
  }
  try {
    assertion(received)
    return { pass: true, message: () => `expected the template not to have ${what}` }
  } catch (error) {
    return { pass: false, message: () => (error instanceof Error ? error.message : String(error)) }
  }
}

expect.extend({
  toHaveResourceProperties(received: unknown, type: string, properties: unknown) {
    return check(
      received,
      (t) => {
        t.hasResourceProperties(type, properties)
      },
      `such a ${type}`
    )
  },
  toHaveOnlyResourcesWithProperties(received: unknown, type: string, properties: unknown) {
    return check(
      received,
      (t) => {
        t.allResourcesProperties(type, properties)
      },
      `only such ${type} resources`
    )
  },
  toHaveResourceCount(received: unknown, type: string, count: number) {
    return check(
      received,
      (t) => {
        t.resourceCountIs(type, count)
      },
      `${count} ${type}`
    )
  },
})
