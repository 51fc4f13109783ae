import { LIMITS } from '@showo/contract'
import { createRouter } from '../router.ts'

// Small enough to read in one screen; it only calls the public API, like any client would.
const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Show-o Turbo playground</title>
<style>
  body { font: 16px system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  label { display: block; margin: .5rem 0 .2rem; }
  input, textarea, select, button { font: inherit; width: 100%; box-sizing: border-box; }
  .row { display: flex; gap: 1rem; } .row > div { flex: 1; }
  button { margin-top: 1rem; padding: .5rem; }
  #out img { margin-top: 1rem; max-width: 100%; image-rendering: pixelated; }
  #status { color: #555; min-height: 1.5rem; margin-top: .5rem; }
</style>
<h1>Show-o Turbo</h1>
<form id="f">
  <label for="prompt">Prompt</label>
  <textarea id="prompt" rows="3" maxlength="${LIMITS.promptMaxChars}" required>a red fox in the snow, watercolor</textarea>
  <div class="row">
    <div><label for="seed">Seed (empty: random)</label><input id="seed" type="number" min="0" max="${LIMITS.seedMax}"></div>
    <div><label for="steps">Steps</label><input id="steps" type="number" min="${LIMITS.stepsMin}" max="${LIMITS.stepsMax}" value="4"></div>
    <div><label for="size">Size</label><select id="size"><option>256x256</option><option>512x512</option></select></div>
  </div>
  <label for="key">API key (optional)</label>
  <input id="key" type="password" autocomplete="off">
  <button>Generate</button>
</form>
<div id="status" role="status"></div>
<div id="out"></div>
<script type="module">
  const $ = (id) => document.getElementById(id)
  $('key').value = localStorage.getItem('showo-key') ?? ''
  $('f').addEventListener('submit', async (event) => {
    event.preventDefault()
    const body = { prompt: $('prompt').value, steps: Number($('steps').value), size: $('size').value }
    if ($('seed').value !== '') body.seed = Number($('seed').value)
    const headers = { 'content-type': 'application/json' }
    const key = $('key').value.trim()
    localStorage.setItem('showo-key', key)
    if (key) headers.authorization = 'Bearer ' + key
    $('status').textContent = 'Generating…'
    const started = performance.now()
    const res = await fetch('/v1/images/generations', { method: 'POST', headers, body: JSON.stringify(body) })
    const json = await res.json()
    if (!res.ok) { $('status').textContent = json.error.code + ': ' + json.error.message; return }
    const item = json.data[0]
    const ms = Math.round(performance.now() - started)
    $('status').textContent = 'seed ' + item.seed + ' · ' + res.headers.get('x-cache') + ' · ' + ms + ' ms'
    $('seed').placeholder = String(item.seed)
    const img = document.createElement('img')
    img.src = item.url
    img.alt = item.revised_prompt
    $('out').replaceChildren(img)
  })
</script>
</html>
`

/** `GET /`: a page to type a prompt, pick seed and steps, and see the image. */
export function playgroundRoutes(): ReturnType<typeof createRouter> {
  const router = createRouter()
  router.get('/', (c) => c.html(PAGE))
  return router
}
