/**
 * `npm run demo`: the whole job, offline. Starts the Media Manager emulator (data kept in
 * .demo/emulator), builds the Coastline site (fixtures/vite-app, copied to .demo/site) with the Vite
 * plugin, and prints what was uploaded or reused and where the built site is.
 * `npm run demo -- --serve` also serves the built site until Ctrl-C.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { parseArgs } from 'node:util'
import { build } from 'vite'
import { startEmulator } from '../src/emulator/index.ts'
import wixMedia from '../src/vite.ts'

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean' },
    port: { type: 'string', default: '4321' },
    'site-port': { type: 'string', default: '4322' },
    fresh: { type: 'boolean' },
  },
})
const repo = join(import.meta.dirname, '..')
const work = join(repo, '.demo')
const site = join(work, 'site')
if (values.fresh) rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })

// The site's sources are copied fresh each run; its lockfile survives, as it would in git.
const lockfile = join(site, 'wix-media.lock.json')
const keptLock = existsSync(lockfile) ? readFileSync(lockfile) : undefined
rmSync(site, { recursive: true, force: true })
cpSync(join(repo, 'fixtures/vite-app'), site, { recursive: true, filter: (path) => !path.includes('node_modules') && !path.endsWith('/dist') })
if (keptLock) writeFileSync(lockfile, keptLock)

// A fixed port: the lockfile records hosted URLs, which must stay valid from one run to the next.
const emulator = await startEmulator({
  port: Number(values.port),
  apiKey: 'demo-api-key',
  siteId: 'demo-site',
  dataDir: join(work, 'emulator'),
  processingMs: { VIDEO: 500 },
}).catch((error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE'
    ? `Port ${values.port} is busy: run \`npm run demo -- --port <free port>\` (add --fresh, since the lockfile's URLs name the old port).`
    : error.message)
  process.exit(1)
})
console.log(`Media Manager emulator listening on ${emulator.url} (data in .demo/emulator)`)

const started = performance.now()
await build({
  root: site,
  configFile: false,
  logLevel: 'warn',
  plugins: [wixMedia({ apiKey: emulator.apiKey, siteId: emulator.siteId, apiBaseUrl: emulator.url })],
})
const ms = Math.round(performance.now() - started)

const uploads = emulator.requests().filter((request) => request.route === 'upload' || request.route === 'tusFinalize').length
const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as { files: Record<string, { url: string; paths: string[] }> }
console.log(`\nBuilt the site in ${ms} ms; ${uploads} files uploaded, ${Object.keys(lock.files).length - uploads} reused from the lockfile:`)
for (const entry of Object.values(lock.files).sort((a, b) => (a.paths[0]! < b.paths[0]! ? -1 : 1))) {
  console.log(`  ${entry.paths.join(', ').padEnd(32)} → ${entry.url}`)
}
console.log(`\nBuilt site: ${join(site, 'dist')}\nLockfile:   ${lockfile}`)

if (!values.serve) {
  console.log('\nRun `npm run demo -- --serve` to open it in a browser.')
  await emulator.close()
} else {
  const dist = join(site, 'dist')
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '')
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path)
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  server.listen(Number(values['site-port']), '127.0.0.1', () => {
    console.log(`\nServing the built site on http://127.0.0.1:${values['site-port']}/ (media from ${emulator.url}); Ctrl-C to stop.`)
  })
  process.once('SIGINT', () => {
    server.close()
    void emulator.close().then(() => process.exit(0))
  })
}
