// The uploading side of bench/large-file.ts, in plain JavaScript over the built package (dist/), so
// that its memory is what a user's process would have: no TypeScript loader. Prints one JSON report.
// Usage: node bench/large-file-uploader.mjs <apiBaseUrl> <root> <stateDir> <folder> <threshold|default>
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { subscribe } from 'node:diagnostics_channel'
import { createEngine, resolveOptions, syncFiles } from '../dist/index.js'

const [apiBaseUrl, root, state, folder, threshold] = process.argv.slice(2)
const FILE_NAME = 'video.mp4'

function vmHwmBytes() {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return match ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

const marks = { start: 0, inspected: 0, uploadStart: 0, hosted: 0 }
let peak = process.memoryUsage.rss()
let peakHashing = 0
let peakUploading = 0
const sample = () => {
  const rss = process.memoryUsage.rss()
  peak = Math.max(peak, rss)
  if (marks.start && !marks.inspected) peakHashing = Math.max(peakHashing, rss)
  if (marks.uploadStart && !marks.hosted) peakUploading = Math.max(peakUploading, rss)
}
const sampler = setInterval(sample, 50)

// Records what goes on the wire, to tell the plain PUT from TUS: undici's diagnostics channel, so
// that the engine keeps its own dispatcher (an interceptor would change how it reads the file).
const wire = {}
subscribe('undici:request:create', ({ request }) => {
  const path = String(request.path).split('?')[0]
  const kind = path.startsWith('/upload/tus/') ? '/upload/tus/<ref>' : path.startsWith('/upload/') && path !== '/upload/tus' ? '/upload/<token>' : path
  const key = `${request.method} ${kind}`
  wire[key] = (wire[key] ?? 0) + 1
})
const options = resolveOptions({
  root, apiBaseUrl, apiKey: 'emulator-api-key', siteId: 'emulator-site', folder,
  lockfile: join(state, 'wix-media.lock.json'), cacheDir: join(state, 'cache'), waitForReady: false,
  resumableThreshold: threshold === 'default' ? undefined : Number(threshold),
}, {})
const engine = await createEngine(options, {
  onUploadStart: () => {
    marks.uploadStart = performance.now()
  },
  onHosted: () => {
    sample()
    marks.hosted = performance.now()
  },
})
const rssBeforeSync = process.memoryUsage.rss()
marks.start = performance.now()
const report = await syncFiles(engine, [FILE_NAME], {
  onInspected: () => {
    sample()
    marks.inspected = performance.now()
  },
})
const totalMs = performance.now() - marks.start
clearInterval(sampler)
sample()
if (report.errors.length > 0) throw report.errors[0]
console.log(JSON.stringify({
  hashMs: marks.inspected - marks.start,
  uploadMs: marks.hosted - marks.uploadStart,
  totalMs,
  rssBeforeSync,
  peakRssHashing: peakHashing,
  peakRssUploading: peakUploading,
  peakRssSampled: peak,
  vmHwm: vmHwmBytes(),
  wire,
  fileId: engine.lockfile.entries()[0][1].id,
  uploaded: report.uploaded,
}))
