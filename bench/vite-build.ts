/**
 * Warm Vite build: what the plugin costs (or saves) in `vite build` once the lockfile is complete,
 * the build every CI job and every developer runs. A generated Vite project imports BENCH_IMAGES
 * (default 500) small distinct PNGs from one main.js and puts them all in the page. One cold build
 * with the plugin against an in-process emulator uploads them and writes wix-media.lock.json (and
 * the local stat cache); then every timed build with the plugin must make zero API calls: the
 * emulator's request log is printed to prove it.
 *
 * Each build runs in its own Node process (as `vite build` does), so no engine, lockfile or stat
 * cache survives in memory from one build to the next. The timed span, inside that process, is
 * `build()` plus, on the plugin side, importing the plugin; importing Vite itself is excluded from
 * both sides (it is the same for both). The process's wall time is printed too.
 *
 * Baseline: the same project, same Vite config, without the plugin (plain Vite: assets below
 *           `build.assetsInlineLimit`, 4096 bytes by default, inlined as base64, the others emitted
 *           to dist/assets with a content hash).
 * Target:   warm build with the plugin ≤ 1.0× the build without it (DESIGN.md: "the plugin should
 *           make the build faster, not slower").
 *
 * Run: node bench/vite-build.ts
 *   env: BENCH_IMAGES=500, BENCH_REPS=5,
 *        BENCH_INLINE_LIMIT (Vite's assetsInlineLimit on both sides; unset = Vite's default 4096;
 *          0 = plain Vite emits every image as a file),
 *        BENCH_NO_STAT_CACHE=1 (delete the plugin's stat cache before each plugin build: a fresh CI
 *          checkout that hashes every file),
 *        BENCH_PLUGIN_ENTRY=dist (load the published build, dist/vite.js, made by `npm run build`,
 *          instead of src/vite.ts run through Node's type stripping)
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmulator } from '../src/emulator/index.ts'
import type wixMedia from '../src/vite.ts'
import { png } from '../test/support/media.ts'
import { spawnCollecting } from '../test/support/process.ts'
import { banner, envInt, formatMs, formatRatio, interleaved, median, result, since, withTempDir } from './support.ts'

const SELF = fileURLToPath(import.meta.url)
const LOCKFILE = 'wix-media.lock.json'
const STAT_CACHE_DIR = 'node_modules/.cache/unplugin-wix-media'

type Mode = 'plugin' | 'plain'

/** What one build process reports on its last stdout line. */
interface BuildRun {
  /** `build()` (plus importing the plugin, on the plugin side), in the build process. */
  ms: number
  /** Of `ms`: importing the plugin (0 without it). */
  importMs: number
  /** The build process from spawn to exit, in the parent. */
  wallMs: number
  /** References to the emulator's origin in the built JS. */
  hosted: number
  /** PNG files in dist/. */
  emitted: number
  /** `data:image/png` URLs in the built JS. */
  inlined: number
}

const name = (i: number) => `img-${String(i).padStart(3, '0')}`

async function makeProject(root: string, images: number): Promise<void> {
  await mkdir(join(root, 'src', 'assets'), { recursive: true })
  const writes: Promise<void>[] = []
  // png(16, 16, i): a valid 16×16 PNG whose colour encodes i, so every file has its own hash.
  for (let i = 0; i < images; i++) writes.push(writeFile(join(root, 'src', 'assets', `${name(i)}.png`), png(16, 16, i)))
  await Promise.all(writes)
  const imports = Array.from({ length: images }, (_, i) => `import i${i} from './assets/${name(i)}.png'`)
  await writeFile(join(root, 'src', 'main.js'), `${imports.join('\n')}

const urls = [${Array.from({ length: images }, (_, i) => `i${i}`).join(', ')}]
const gallery = document.querySelector('#gallery')
for (const [index, src] of urls.entries()) {
  const img = document.createElement('img')
  img.src = src
  img.alt = 'picture ' + index
  img.width = 16
  img.height = 16
  gallery.append(img)
}
`)
  await writeFile(join(root, 'index.html'), `<!doctype html>
<html lang="en">
  <head><meta charset="UTF-8" /><title>${images} pictures</title></head>
  <body>
    <div id="gallery"></div>
    <script type="module" src="./src/main.js"></script>
  </body>
</html>
`)
}

/** The build process: `node bench/vite-build.ts --child <root> <plugin|plain> <outDir>`. */
async function child(root: string, mode: Mode, outDir: string): Promise<void> {
  const { build } = await import('vite')
  const inline = process.env.BENCH_INLINE_LIMIT
  const entry = process.env.BENCH_PLUGIN_ENTRY === 'dist' ? '../dist/vite.js' : '../src/vite.ts'
  const start = performance.now()
  // The plugin side pays for loading the plugin; its options come from WIX_* as in a real project.
  const plugins = mode === 'plugin' ? [((await import(entry)) as { default: typeof wixMedia }).default()] : []
  const importMs = since(start)
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true, ...(inline === undefined || inline === '' ? {} : { assetsInlineLimit: Number(inline) }) },
    plugins,
  })
  const ms = since(start)
  const files = (await readdir(join(root, outDir), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile())
  let js = ''
  for (const file of files) if (file.name.endsWith('.js')) js += await readFile(join(file.parentPath, file.name), 'utf8')
  const origin = process.env.WIX_API_BASE_URL
  const count = (needle: string) => (needle ? js.split(needle).length - 1 : 0)
  const report = { ms, importMs, hosted: count(origin ? `${origin}/media/` : ''), emitted: files.filter((file) => file.name.endsWith('.png')).length, inlined: count('data:image/png') }
  console.log(JSON.stringify(report))
}

/** Runs one build in a fresh Node process. */
function buildProcess(root: string, mode: Mode, env: Record<string, string>): Promise<BuildRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WIX_')))
  const start = performance.now()
  const { child, closed } = spawnCollecting(process.execPath, [SELF, '--child', root, mode, `dist-${mode}`], { env: { ...base, ...env } })
  child.stdin.end()
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    void closed.then(({ code, stdout, stderr }) => {
      const wallMs = since(start)
      const last = stdout.trim().split('\n').at(-1) ?? ''
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`the ${mode} build exited with ${code}:\n${stderr}${stdout}`))
        return
      }
      resolve({ ...(JSON.parse(last) as Omit<BuildRun, 'wallMs'>), wallMs })
    })
  })
}

async function main(): Promise<void> {
  const images = envInt('BENCH_IMAGES', 500)
  const reps = envInt('BENCH_REPS', 5)
  const noStatCache = process.env.BENCH_NO_STAT_CACHE === '1'
  const inline = process.env.BENCH_INLINE_LIMIT || 'Vite default (4096)'
  banner('warm vite build: with the plugin (lockfile complete) vs without it', [
    `${images} imported PNGs; ${reps} builds per side, interleaved, each in its own Node process (BENCH_IMAGES, BENCH_REPS)`,
    `assetsInlineLimit: ${inline} (BENCH_INLINE_LIMIT); plugin stat cache: ${noStatCache ? 'deleted before each build' : 'kept'} (BENCH_NO_STAT_CACHE)`,
  ])
  await withTempDir('vite-build', async (dir) => {
    const root = join(dir, 'project')
    await makeProject(root, images)
    const emulator = await startEmulator({ seed: 3 })
    try {
      const credentials = { WIX_API_KEY: emulator.apiKey, WIX_SITE_ID: emulator.siteId, WIX_API_BASE_URL: emulator.url }
      // The cold build: uploads every image and writes the lockfile.
      const cold = await buildProcess(root, 'plugin', credentials)
      const lock = JSON.parse(await readFile(join(root, LOCKFILE), 'utf8')) as { files: Record<string, unknown> }
      if (Object.keys(lock.files).length !== images || cold.hosted !== images) {
        throw new Error(`the cold build hosted ${cold.hosted} of ${images} images (lockfile: ${Object.keys(lock.files).length} entries)`)
      }
      console.error(`   setup: cold build with the plugin uploaded ${images} images in ${formatMs(cold.ms)} (${emulator.requests().length} API requests)`)
      emulator.clearRequests()

      const runs = await interleaved<BuildRun>(reps, [
        { name: 'with plugin', run: async () => {
          if (noStatCache) await rm(join(root, STAT_CACHE_DIR), { recursive: true, force: true })
          const run = await buildProcess(root, 'plugin', credentials)
          if (run.hosted !== images || run.emitted !== 0 || run.inlined !== 0) throw new Error(`a warm plugin build did not host every image: ${JSON.stringify(run)}`)
          return run
        } },
        { name: 'without plugin', run: async () => {
          const run = await buildProcess(root, 'plain', {})
          if (run.emitted + run.inlined !== images) throw new Error(`a plain build did not keep every image: ${JSON.stringify(run)}`)
          return run
        } },
      ])
      const requests = emulator.requests().length
      const withPlugin = runs.get('with plugin')!
      const without = runs.get('without plugin')!
      const pluginMs = median(withPlugin.map((run) => run.ms))
      const plainMs = median(without.map((run) => run.ms))
      console.error(`   plain Vite kept the images as: ${without[0]!.inlined} inlined data: URLs, ${without[0]!.emitted} emitted files`)
      console.error(`   with plugin, of which importing the plugin (${process.env.BENCH_PLUGIN_ENTRY === 'dist' ? 'dist/vite.js' : 'src/vite.ts'}, median): ` +
        `${formatMs(median(withPlugin.map((run) => run.importMs)))}; build() alone: ${formatMs(median(withPlugin.map((run) => run.ms - run.importMs)))}`)
      console.error(`   build process wall time (medians): with plugin ${formatMs(median(withPlugin.map((run) => run.wallMs)))}, ` +
        `without ${formatMs(median(without.map((run) => run.wallMs)))}`)
      console.error(`   emulator requests during the ${reps} warm plugin builds: ${requests}`)
      if (requests !== 0) throw new Error(`warm builds made ${requests} requests to the Media Manager; expected none`)
      result(`warm vite build with plugin: ${pluginMs.toFixed(0)} ms vs without: ${plainMs.toFixed(0)} ms → ${formatRatio(pluginMs / plainMs)} ` +
        `(target ≤ 1.0×); ${images} images, median of ${reps}; emulator requests: ${requests}`)
    } finally {
      await emulator.close()
    }
  })
}

if (process.argv[2] === '--child') {
  const [, , , root, mode, outDir] = process.argv
  if (!root || (mode !== 'plugin' && mode !== 'plain') || !outDir) throw new Error('usage: vite-build.ts --child <root> <plugin|plain> <outDir>')
  await child(root, mode, outDir)
} else {
  await main()
}
