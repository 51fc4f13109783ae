// Worker-thread entry: sources are TypeScript run through tsx, registered here for this thread.
import { register } from 'tsx/esm/api'

register()
await import('./engine-worker.ts')
