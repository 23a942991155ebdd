/**
 * One engine per process for the same project, site and settings while builds of it run at once:
 * Vite's client and SSR builds, or several webpack compilers, share it, so each file uploads once
 * and the lockfile has one writer. An engine is released when the last build using it ends, so the
 * next build (watch mode, a long dev session, another build in the same process) reads the lockfile
 * from disk again. This registry is the package's single piece of process-wide state, on purpose.
 */
import { createHash } from 'node:crypto'
import { createEngine, type Engine, type EngineSetup } from '../core/engine.ts'
import type { ResolvedOptions } from '../core/options.ts'

interface Entry {
  engine: Promise<Engine>
  users: number
}

const engines = new Map<string, Entry>()

/** Every setting the engine uses; a custom dispatcher is an object, so builds with one never share. */
function keyOf(options: ResolvedOptions): string | undefined {
  if (options.dispatcher) return undefined
  const { dispatcher: _dispatcher, ...settings } = options
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex')
}

export interface EngineLease {
  readonly engine: Promise<Engine>
  /** This build is done with it; the last one out drops it. */
  release(): void
}

/** `setup`: the events of the engine, from the build that creates it (builds that share it share them). */
export function leaseEngine(options: ResolvedOptions, setup: EngineSetup = {}): EngineLease {
  const key = keyOf(options)
  if (key === undefined) return { engine: createEngine(options, setup), release: () => {} }
  let entry = engines.get(key)
  if (!entry) {
    const created: Entry = {
      engine: createEngine(options, setup).catch((error: unknown) => {
        if (engines.get(key) === created) engines.delete(key)
        throw error
      }),
      users: 0,
    }
    entry = created
    engines.set(key, entry)
  }
  const leased = entry
  leased.users++
  let released = false
  return {
    engine: leased.engine,
    release() {
      if (released) return
      released = true
      if (--leased.users === 0 && engines.get(key) === leased) engines.delete(key)
    },
  }
}
