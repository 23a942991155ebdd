/** `startEmulator()`: a local Media Manager on 127.0.0.1 for tests, demos and offline work. */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { FileDescriptor } from '../client/wire.ts'
import type { EmulatorContext, TransferStats } from './context.ts'
import { describeFile } from './descriptor.ts'
import { createFaultInjector, type FaultRule, type LatencyOption } from './faults.ts'
import { sitePrefix } from './ids.ts'
import { resolveEmulatorOptions, type EmulatorOptions, type ResolvedEmulatorOptions } from './options.ts'
import { createRandom } from './random.ts'
import { createRateLimiter } from './rate-limit.ts'
import { createRequestLog, type RequestLogEntry } from './request-log.ts'
import { ROUTES } from './routes/index.ts'
import { createRequestHandler } from './server.ts'
import { createDiskBlobStore, createMemoryBlobStore } from './store/blobs.ts'
import { MediaStore } from './store/media-store.ts'
import { createPersister } from './store/persist.ts'

export interface Emulator {
  /** `http://127.0.0.1:<port>`: the API base URL (paths under `/site-media/v1`) and the upload/media origin. */
  readonly url: string
  readonly port: number
  readonly apiKey: string
  readonly siteId: string
  readonly options: ResolvedEmulatorOptions
  /** Every request so far, in order (no headers, no tokens). */
  requests(): RequestLogEntry[]
  clearRequests(): void
  /** Every stored file, trash included, as the API describes it. */
  files(): FileDescriptor[]
  /** The bytes of a stored file. */
  readFile(fileId: string): Promise<Buffer>
  /** Faults and latency, changeable while running. */
  readonly faults: {
    add(rule: FaultRule): void
    clear(): void
    setLatency(latency: LatencyOption): void
  }
  /** Upload transfers in flight now and at most (`resetStats()` starts a new maximum). */
  stats(): TransferStats
  resetStats(): void
  /** Writes pending state to `dataDir`. */
  flush(): Promise<void>
  /** Stops listening, ends open connections and flushes state. */
  close(): Promise<void>
}

/** A data dir the emulator cannot write would lose every upload (and hang its answer): fail at start instead. */
async function checkWritable(dataDir: string): Promise<void> {
  const probe = join(dataDir, `.write-check-${process.pid}`)
  try {
    await mkdir(join(dataDir, 'blobs'), { recursive: true })
    await writeFile(probe, '')
    await rm(probe)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw Object.assign(new Error(`the data dir ${dataDir} cannot be written (${code}). Pick a folder this user may write, or leave --data-dir out to keep data in memory`), { code: 'EDATADIR' })
  }
}

export async function startEmulator(input: EmulatorOptions = {}): Promise<Emulator> {
  const options = resolveEmulatorOptions(input)
  if (options.dataDir) await checkWritable(options.dataDir)
  const persist = createPersister(options.dataDir, () => store.snapshot())
  const state = await persist.load()
  // The ids and token ids a data dir holds were drawn from this seed: a restart must not draw them
  // again (a fresh upload URL would be "already used", a new file would overwrite an old one).
  // Mixing in the saved state keeps a replay from the same seed and the same data dir exact.
  const random = createRandom(state ? options.seed ^ createHash('sha256').update(JSON.stringify(state)).digest().readUInt32BE(0) : options.seed)
  const saveInBackground = () =>
    void persist.save().catch((error: Error) => process.emitWarning(`wix-media emulator: could not save state: ${error.message}`))
  const store: MediaStore = new MediaStore(random, saveInBackground, state)
  const blobs = options.dataDir ? createDiskBlobStore(join(options.dataDir, 'blobs'), options.hashAlgorithm) : createMemoryBlobStore(options.hashAlgorithm)
  const faults = createFaultInjector({ faults: options.faults, failRate: options.failRate, latency: options.latency, random })
  const stats: TransferStats = { uploadsInFlight: 0, maxUploadsInFlight: 0 }
  let origin = ''
  const ctx: EmulatorContext = {
    options,
    store,
    blobs,
    random,
    faults,
    stats,
    origin: () => origin,
    idPrefix: sitePrefix(options.siteId),
    tusUploads: new Map(),
    background: new Set(),
  }
  const log = createRequestLog()
  const handler = createRequestHandler(ctx, ROUTES, log, createRateLimiter(options.rateLimit))
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => void handler.onRequest(req, res))
  server.on('clientError', (_error, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `http://${host}:${port}`
  origin = options.publicUrl ?? url

  return {
    url,
    port,
    apiKey: options.apiKey,
    siteId: options.siteId,
    options,
    requests: () => log.entries(),
    clearRequests: () => log.clear(),
    files: () => [...store.files.values()].map((file) => describeFile(ctx, file)),
    async readFile(fileId) {
      const chunks: Buffer[] = []
      for await (const chunk of blobs.read(fileId) as AsyncIterable<Buffer>) chunks.push(chunk)
      return Buffer.concat(chunks)
    },
    faults: {
      add: (rule) => faults.add(rule),
      clear: () => faults.clear(),
      setLatency: (latency) => faults.setLatency(latency),
    },
    stats: () => ({ ...stats }),
    resetStats() {
      stats.maxUploadsInFlight = stats.uploadsInFlight
    },
    flush: () => persist.flush(),
    async close() {
      handler.releaseStalled()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.allSettled([...ctx.background])
      await persist.save()
      await persist.flush()
    },
  }
}
