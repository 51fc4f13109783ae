import type { z } from 'zod'

/**
 * Renders zod issues as one line that names each field, e.g.
 * `steps: Too big: expected number to be <=50; prompt: must not be empty`.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.')
      const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : ''
      return `${path || 'body'}: ${issue.message}${keys}`
    })
    .join('; ')
}
