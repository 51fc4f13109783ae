import { readFile, writeFile } from 'node:fs/promises'
import { format, resolveConfig } from 'prettier'

const START = '<!-- edge-image-cache-bench:start -->'
const END = '<!-- edge-image-cache-bench:end -->'

/**
 * Replaces this benchmark's section of BENCHMARKS.md (between its markers), leaving every other
 * section as it is; creates the file or appends the section when absent. Re-reads the file right
 * before writing because other packages add their own sections.
 */
export async function writeBenchmarksSection(path: string, body: string): Promise<void> {
  const section = `${START}\n${body.trim()}\n${END}`
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    text = '# Benchmarks\n'
  }
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${section}\n`
  // The repository's lint runs `prettier --check .`, so the file is written already formatted.
  const options = (await resolveConfig(path)) ?? {}
  await writeFile(path, await format(next, { ...options, filepath: path }))
}
