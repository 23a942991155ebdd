/**
 * One engine per process for the same project and site: Vite's client and SSR builds, or several
 * webpack compilers, share it, so each file uploads once and the lockfile has one writer. This
 * registry is the package's single piece of process-wide state, on purpose.
 */
import { createEngine, type Engine } from '../core/engine.ts'
import type { ResolvedOptions } from '../core/options.ts'

const engines = new Map<string, Promise<Engine>>()

function keyOf(options: ResolvedOptions): string {
  return JSON.stringify([options.lockfile, options.siteId ?? '', options.apiBaseUrl, options.folder, options.root])
}

export function sharedEngine(options: ResolvedOptions): Promise<Engine> {
  const key = keyOf(options)
  let engine = engines.get(key)
  if (!engine) {
    engine = createEngine(options).catch((error: unknown) => {
      engines.delete(key)
      throw error
    })
    engines.set(key, engine)
  }
  return engine
}
