/**
 * One large file: peak memory and throughput of the engine uploading a BENCH_SIZE_MB (default
 * 1024) MiB video. Above `resumableThreshold` (10 MB) the engine takes the resumable (TUS) path,
 * as it would for a real video; the path actually used is read off the wire and printed.
 *
 * Layout: the emulator runs in a child process (`src/cli/index.ts emulator --data-dir <tmp>`, so
 * its memory is not counted and the bytes go to disk as they arrive); the engine runs in another
 * child (this script with the argument `uploader`), which samples its RSS every 50 ms and reports
 * its kernel high-water mark (VmHWM) at the end.
 *
 * Targets and baseline:
 * - peak RSS of the uploading process < 150 MB (the design: a 2 GB video costs no more memory
 *   than a 2 KB icon);
 * - throughput against `curl -T <file> <uploadUrl>` (one plain PUT, with an upload URL generated
 *   through the API first) to the same emulator, in the same run. No target is set; reported as
 *   a ratio. Both sides' times include asking for the upload URL.
 *
 * The engine runs with `waitForReady: false`: the emulator keeps videos PENDING for a second after
 * the upload (as Wix does while it transcodes), and curl does not wait for that either. Its hashing
 * of the file (part of every cold sync) is timed apart and not counted in the upload throughput.
 *
 * Also timed, for information: the engine forced onto the plain PUT path (BENCH_PLAIN_PUT=0 skips it).
 *
 * The uploading child is bench/large-file-uploader.mjs, plain JavaScript over the built package
 * (`npm run build` first), so that no TypeScript loader sits in the memory it measures.
 *
 * Run: node bench/large-file.ts   (env: BENCH_SIZE_MB=1024, BENCH_REPS=3, BENCH_PLAIN_PUT=1)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { banner, envInt, formatMs, formatRate, formatRatio, interleaved, MB, median, result, timed, warm, withTempDir } from './support.ts'

const SIZE_MB = envInt('BENCH_SIZE_MB', 1024)
const REPS = envInt('BENCH_REPS', 3)
const API_KEY = 'emulator-api-key'
const SITE_ID = 'emulator-site'
const FILE_NAME = 'video.mp4'
const REPO = resolve(dirname(import.meta.filename), '..')
/** The uploading side: plain JavaScript over the built package, as users run it (no TypeScript loader in its memory). */
const UPLOADER = join(REPO, 'bench/large-file-uploader.mjs')
/** Also time the engine forced onto the plain PUT path, to tell TUS's cost from the client's. */
const PLAIN_PUT = envInt('BENCH_PLAIN_PUT', 1, 0) === 1
const ENGINE = 'engine, default options'
const ENGINE_PUT = 'engine, plain PUT'
const CURL = 'curl -T'

// ————— the uploading child —————

interface UploaderReport {
  hashMs: number
  uploadMs: number
  totalMs: number
  /** RSS once the modules are loaded and the engine is made, before the sync starts. */
  rssBeforeSync: number
  /** Highest RSS seen while hashing, and while uploading (sampled every 50 ms). */
  peakRssHashing: number
  peakRssUploading: number
  peakRssSampled: number
  vmHwm: number | undefined
  /** `METHOD path-kind` → count, as sent on the wire. */
  wire: Record<string, number>
  fileId: string
  uploaded: number
}

async function makeVideo(path: string): Promise<number> {
  const handle = await open(path, 'w')
  try {
    const ftyp = Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomiso2')])
    const size = SIZE_MB * MB
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(8 * MB, size - written))
      if (written === 0) ftyp.copy(chunk)
      await handle.write(chunk)
      written += chunk.length
    }
    return size
  } finally {
    await handle.close()
  }
}

interface Child {
  process: ChildProcess
  url: string
}

async function startEmulatorChild(dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, [join(REPO, 'src/cli/index.ts'), 'emulator', '--port', '0', '--data-dir', dataDir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  const lines = createInterface({ input: child.stdout! })
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code} before listening: ${stderr}`)))
    lines.once('line', (line) => {
      const match = /https?:\/\/\S+/.exec(line)
      if (match) resolveUrl(match[0])
      else reject(new Error(`unexpected first line from the emulator: ${line}`))
    })
  })
  return { process: child, url }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit))
  child.kill('SIGTERM')
  await exited
}

function runChild(args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text
    })
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${args.join(' ')} exited with ${code}`))))
  })
}

async function api<T>(baseUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/site-media/v1${path}`, {
    method: 'POST',
    headers: { authorization: API_KEY, 'wix-site-id': SITE_ID, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`)
  return JSON.parse(text) as T
}

/** Frees the emulator's disk between runs. */
const deleteFile = (baseUrl: string, fileId: string) => api(baseUrl, '/bulk/files/delete', { fileIds: [fileId], permanent: true })

/** RSS of a Node process that loads nothing, for scale. */
function bareNodeRss(): number {
  const probe = spawnSync(process.execPath, ['-e', 'console.log(process.memoryUsage.rss())'], { encoding: 'utf8' })
  return Number(probe.stdout.trim())
}

function curlVersion(): string | undefined {
  const probe = spawnSync('curl', ['--version'], { encoding: 'utf8' })
  return probe.status === 0 ? probe.stdout.split('\n')[0] : undefined
}

async function curlUpload(baseUrl: string, file: string, size: number, answerFile: string): Promise<{ ms: number; fileId: string }> {
  const { ms } = await timed(async () => {
    const { uploadUrl } = await api<{ uploadUrl: string }>(baseUrl, '/files/generate-upload-url', {
      mimeType: 'video/mp4', fileName: FILE_NAME, sizeInBytes: String(size),
    })
    await new Promise<void>((resolveCurl, reject) => {
      // `Expect:` turns off curl's 100-continue handshake (its 1 s wait would be curl's cost, not the server's).
      const child = spawn('curl', ['-sS', '-o', answerFile, '-w', '%{http_code}', '-H', 'Content-Type: video/mp4', '-H', 'Expect:', '-T', file, uploadUrl], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      let status = ''
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        status += text
      })
      child.once('error', reject)
      child.once('exit', (code) => (code === 0 && status === '200' ? resolveCurl() : reject(new Error(`curl exited with ${code}, HTTP ${status}`))))
    })
  })
  const answer = JSON.parse(await readFile(answerFile, 'utf8')) as { file: { id: string } }
  return { ms, fileId: answer.file.id }
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'dist/index.js'))) {
    console.error('bench/large-file.ts measures the built package: run `npm run build` first (npm run bench:large-file does).')
    process.exit(1)
  }
  const curl = curlVersion()
  banner('one large file: peak memory and throughput', [
    `${SIZE_MB} MiB video; ${REPS} runs per side, interleaved (BENCH_SIZE_MB, BENCH_REPS); emulator and uploader in child processes`,
    curl ? `baseline: ${curl}` : 'curl is not installed: the throughput comparison is skipped',
  ])
  await withTempDir('large-file', async (dir) => {
    const root = join(dir, 'project')
    await mkdir(root, { recursive: true })
    const file = join(root, FILE_NAME)
    const size = await makeVideo(file)
    await warm(file) // both sides read the same file from the page cache
    const emulator = await startEmulatorChild(join(dir, 'emulator-data'))
    try {
      console.error(`   emulator (pid ${emulator.process.pid}) at ${emulator.url}; file ${(size / MB).toFixed(0)} MiB`)
      /** One engine sync in a fresh child process; `threshold` overrides `resumableThreshold`. */
      const engineSide = (name: string, threshold: number | undefined) => ({
        name,
        run: async (rep: number): Promise<{ ms: number; report?: UploaderReport }> => {
          const state = join(dir, `state-${rep}`)
          // A folder per run: otherwise the next run would adopt this run's upload instead of uploading.
          const folder = `/bench-large-${threshold === undefined ? 'tus' : 'put'}-${rep}`
          const out = await runChild([UPLOADER, emulator.url, root, state, folder, String(threshold ?? 'default')])
          const report = JSON.parse(out.trim().split('\n').at(-1)!) as UploaderReport
          if (report.uploaded !== 1) throw new Error('the engine did not upload the file')
          await deleteFile(emulator.url, report.fileId)
          await rm(state, { recursive: true, force: true })
          return { ms: report.uploadMs, report }
        },
      })
      const sides = [
        engineSide(ENGINE, undefined),
        ...(curl ? [{ name: CURL, run: async (): Promise<{ ms: number; report?: UploaderReport }> => {
          const { ms, fileId } = await curlUpload(emulator.url, file, size, join(dir, 'curl-answer.json'))
          await deleteFile(emulator.url, fileId)
          return { ms }
        } }] : []),
        ...(PLAIN_PUT ? [engineSide(ENGINE_PUT, size + 1)] : []),
      ]
      const runs = await interleaved<{ ms: number; report?: UploaderReport }>(REPS, sides)
      const reports = runs.get(ENGINE)!.map((run) => run.report!)
      const engineMs = median(reports.map((report) => report.uploadMs))
      const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`
      const peak = Math.max(...reports.map((report) => report.vmHwm ?? report.peakRssSampled))
      const wire = reports[0]!.wire
      const tus = Object.keys(wire).some((key) => key.startsWith('PATCH /upload/tus/'))
      console.error(`   engine requests on the wire: ${Object.entries(wire).map(([key, count]) => `${key} ×${count}`).join(', ')}`)
      console.error(`   engine: hashing ${formatMs(median(reports.map((report) => report.hashMs)))} (${formatRate(size, median(reports.map((report) => report.hashMs)))}), ` +
        `upload ${formatMs(engineMs)}, whole sync ${formatMs(median(reports.map((report) => report.totalMs)))}`)
      console.error(`   uploader RSS: ${reports.map((report) => `before sync ${mb(report.rssBeforeSync)}, ` +
        `peak hashing ${mb(report.peakRssHashing)}, peak uploading ${mb(report.peakRssUploading)}, ` +
        `VmHWM ${report.vmHwm === undefined ? 'n/a' : mb(report.vmHwm)}`).join('; ')}`)
      const growth = Math.max(...reports.map((report) => (report.vmHwm ?? report.peakRssSampled) - report.rssBeforeSync))
      console.error(`   for scale: a bare \`node -e\` process has ${mb(bareNodeRss())} RSS; the uploader (plain JS over dist/) ` +
        `grew by at most ${mb(growth)} during the sync`)
      result(`large file (${(size / MB).toFixed(0)} MiB) peak RSS of the uploading process: ${mb(peak)} (max over ${REPS} runs, ` +
        `${reports[0]!.vmHwm === undefined ? 'sampled every 50 ms' : 'VmHWM'}; ${mb(growth)} of it during the sync) (target < 150 MB); ` +
        `path: ${tus ? 'TUS (resumable)' : 'plain PUT'}`)
      if (PLAIN_PUT) {
        const putMs = median(runs.get(ENGINE_PUT)!.map((run) => run.ms))
        console.error(`   engine forced onto the plain PUT path (resumableThreshold > size): ${formatRate(size, putMs)}; ` +
          `peak RSS ${mb(Math.max(...runs.get(ENGINE_PUT)!.map((run) => run.report!.vmHwm ?? run.report!.peakRssSampled)))}`)
      }
      if (curl) {
        const curlMs = median(runs.get(CURL)!.map((run) => run.ms))
        result(`large file upload (${(size / MB).toFixed(0)} MiB, median of ${REPS}): engine ${formatRate(size, engineMs)} via ${tus ? 'TUS' : 'PUT'} ` +
          `vs curl -T ${formatRate(size, curlMs)} → ${formatRatio(curlMs / engineMs)} (no target; informative)`)
      } else {
        result(`large file upload: engine ${formatRate(size, engineMs)}; curl not installed, comparison skipped`)
      }
    } finally {
      await stopChild(emulator.process)
    }
  })
}

await main()
