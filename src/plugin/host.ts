/**
 * The plugin's side of the engine: turns a file the bundler met into its hosted URL, or decides to
 * leave it local, and keeps what the end-of-build summary and errors need. One per plugin instance.
 */
import { existsSync } from 'node:fs'
import { isAbsolute } from 'node:path'
import picomatch from 'picomatch'
import { isWixMediaError } from '../core/errors.ts'
import type { Outcome } from '../core/engine.ts'
import { HOSTED_ID } from '../core/media-types.ts'
import { toProjectPath } from '../core/project-path.ts'
import type { ResolvedOptions } from '../core/options.ts'
import { blockedUploadError, uploadBlock } from '../core/upload-gate.ts'
import type { ResolvedPluginSettings } from './options.ts'
import { leaseEngine, type EngineLease } from './shared-engines.ts'

export interface PluginLogger {
  info(message: string): void
  warn(message: string): void
}

export interface BuildTally {
  uploaded: number
  uploadedBytes: number
  reused: number
  adopted: number
  local: number
  /** Attempts made again after an error, during this build. */
  retries: number
  /** The slowest pace of API calls (a minute) that Wix's rate limit brought the engine to; `undefined`: never refused. */
  slowestPerMinute: number | undefined
}

export interface Host {
  /** Is this absolute path (no query) a media file the plugin should host? */
  wants(absolutePath: string): boolean
  /**
   * Says, once per file and query, that a reference to a file `wants` accepts stays with the bundler
   * because of its query (`?w=300`: another plugin's or the bundler's), so that a user who finds the
   * file in the output folder knows why.
   */
  keptLocal(absolutePath: string, query: string): void
  /** Says, once per file, that the bundler's own rules keep a file `wants` accepts (`why`: which rules, what they do). */
  keptByBundler(absolutePath: string, why: string): void
  /** The hosted URL, or `undefined` to leave the file to the bundler. Throws to fail the build. */
  urlFor(absolutePath: string): Promise<string | undefined>
  /**
   * Starts hashing and, where it may upload, uploading a file before any import asks for it. Never
   * fails the build: files nothing imports must not count as missing.
   */
  prewarm(absolutePath: string): void
  /** The lockfile's URL for a file, without network (dev with `dev: 'lockfile'`). */
  lockedUrlFor(absolutePath: string): Promise<string | undefined>
  /** Flushes the lockfile; throws the error that lists every file that could not be hosted. */
  finish(): Promise<void>
  /** The summary line for the end of the build. */
  summary(): string
  readonly tally: Readonly<BuildTally>
}

export function createHost(options: ResolvedOptions, settings: ResolvedPluginSettings, logger: PluginLogger): Host {
  const include = picomatch([...options.include], { dot: true, nocase: true })
  // Case-insensitive both: `UP.PNG` is a PNG for `include`, so `**/*.png` in `exclude` must leave it out too (as the scan does).
  const exclude = picomatch([...options.exclude], { dot: true, nocase: true })
  const tally: BuildTally = { uploaded: 0, uploadedBytes: 0, reused: 0, adopted: 0, local: 0, retries: 0, slowestPerMinute: undefined }
  const started = performance.now()
  /** Why this build may not upload (frozen, or no credentials): the engine would refuse the same files. */
  const block = uploadBlock(options)
  /** Files that need an upload this build cannot do, listed together when the build ends. */
  const blocked = new Set<string>()
  const seen = new Map<string, Promise<string | undefined>>()
  /** Warnings said once per key (a file outside root; a file and the query that keeps it local). */
  const warned = new Set<string>()
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return
    warned.add(key)
    logger.warn(message)
  }
  let lease: EngineLease | undefined
  /** The engine's retries when this build took it (another build in the process may share it). */
  let retriesBefore: Promise<number> | undefined
  const getEngine = () => {
    lease ??= leaseEngine(options, { onWarning: (message) => logger.warn(message) })
    retriesBefore ??= lease.engine.then((engine) => engine.counters.retries, () => 0)
    return lease.engine
  }

  const relativePath = (absolutePath: string) => toProjectPath(options.root, absolutePath)

  const count = (outcome: Outcome, size: number) => {
    if (outcome === 'uploaded') {
      tally.uploaded++
      tally.uploadedBytes += size
    } else {
      tally[outcome]++
    }
  }

  async function resolveUrl(absolutePath: string): Promise<string | undefined> {
    const path = relativePath(absolutePath)
    const current = await getEngine()
    const local = await current.inspect(path)
    if (block && !current.lockfile.get(local.hash)) {
      // `frozen` is a promise that nothing new ships: it fails whatever the fallback.
      if (settings.fallback === 'local' && block === 'no-credentials') {
        tally.local++
        logger.warn(`${path}: kept local (no credentials to upload it)`)
        return undefined
      }
      blocked.add(path)
      return ''
    }
    try {
      const hosted = await current.host(local)
      count(hosted.outcome, local.size)
      return hosted.entry.url
    } catch (error) {
      if (settings.fallback === 'local' && isWixMediaError(error)) {
        tally.local++
        logger.warn(`${error.message} — kept local (fallback: 'local')`)
        return undefined
      }
      throw error
    }
  }

  return {
    tally,
    wants(absolutePath) {
      const path = relativePath(absolutePath)
      // Outside the root (a shared package in a monorepo; another drive on Windows): paths in the
      // lockfile are relative to the root, so such a file stays with the bundler, and says so once.
      // An id that is no file (Vite's `/logo.png` for public/logo.png) is not one to warn about.
      if (path.startsWith('../') || isAbsolute(path)) {
        if (HOSTED_ID.test(absolutePath) && existsSync(absolutePath)) {
          warnOnce(absolutePath, `${absolutePath} is outside root (${options.root}): kept local. Set \`root\` to a folder that contains it to host it`)
        }
        return false
      }
      return include(path) && !exclude(path)
    },
    keptLocal(absolutePath, query) {
      warnOnce(`${absolutePath}${query}`, `${relativePath(absolutePath)}${query}: kept local (the plugin hosts plain references, ` +
        '`?url` and cache-busting queries such as `?v=2`; another plugin or the bundler handles this one)')
    },
    keptByBundler(absolutePath, why) {
      warnOnce(absolutePath, `${relativePath(absolutePath)}: kept local: ${why}. The plugin hosts what they treat as a plain asset ` +
        "(type 'asset/resource' or 'asset', or no rule): narrow the rule's `test` or `issuer` to host it")
    },
    urlFor(absolutePath) {
      let url = seen.get(absolutePath)
      if (!url) {
        url = resolveUrl(absolutePath)
        seen.set(absolutePath, url)
      }
      return url
    },
    prewarm(absolutePath) {
      void (async () => {
        const current = await getEngine()
        const local = await current.inspect(relativePath(absolutePath))
        if (!block || current.lockfile.get(local.hash)) await current.host(local)
      })().catch(() => {
        // The import (if any) meets the same error and reports it.
      })
    },
    async lockedUrlFor(absolutePath) {
      const current = await getEngine()
      const local = await current.inspect(relativePath(absolutePath))
      return current.lockfile.get(local.hash)?.url
    },
    async finish() {
      // A failed file ends the build at once, while other uploads are still in flight: let them end,
      // so that every file that did upload reaches the lockfile (and is not uploaded again next time).
      await Promise.allSettled(seen.values())
      if (lease) {
        try {
          const engine = await lease.engine
          tally.retries = engine.counters.retries - (await retriesBefore ?? 0)
          tally.slowestPerMinute = engine.counters.slowestPerMinute
          await engine.flush()
        } finally {
          lease.release()
          lease = undefined
        }
      }
      if (!block || blocked.size === 0) return
      // A frozen build is meant to fail: only a missing key or site id is offered the local fallback.
      const alternative = block === 'no-credentials' ? "use `fallback: 'local'` to keep new files local" : undefined
      throw blockedUploadError(options, block, [...blocked].sort(), alternative)
    },
    summary() {
      const ms = Math.round(performance.now() - started)
      const kb = (tally.uploadedBytes / 1000).toFixed(1)
      return `uploaded ${tally.uploaded} file${tally.uploaded === 1 ? '' : 's'} (${kb} kB), reused ${tally.reused}, adopted ${tally.adopted}` +
        `${tally.local ? `, kept ${tally.local} local` : ''} in ${ms} ms` +
        `${tally.retries ? ` (${tally.retries} ${tally.retries === 1 ? 'retry' : 'retries'})` : ''}` +
        `${tally.slowestPerMinute === undefined ? '' : `; Wix's rate limit slowed API calls down to ${tally.slowestPerMinute} a minute`}`
    },
  }
}
