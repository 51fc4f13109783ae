// Child process of bench/convert.ts: converts one set of sources and reports its own peak memory,
// so the figure covers the converter alone.
import { convertModel } from '../src/convert/convert-model.ts'

const [showoDir, vqDir, tokenizerPath, outDir, dtype] = process.argv.slice(2)
if (!showoDir || !vqDir || !tokenizerPath || !outDir || (dtype !== 'fp16' && dtype !== 'fp32')) {
  throw new Error('usage: convert-child SHOWO VQ TOKENIZER OUT fp16|fp32')
}
const started = performance.now()
await convertModel({ showoDir, vqDir, tokenizerPath, outDir, dtype })
const seconds = (performance.now() - started) / 1000
console.log(JSON.stringify({ seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }))
