// Prints the cost table for infra/README.md from config/gpu-instance-types.ts and
// config/throughput.ts: `npm run -w infra cost-sheet`.
import { renderCostTable } from '../lib/cost-sheet.ts'

console.log(renderCostTable())
