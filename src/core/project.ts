/**
 * Whole-project runs, as `wix-media sync` and `status` make them: scan the project, and when every
 * file is as the last clean sync left it, answer from that record (a stat per folder and per file,
 * no walk, no lockfile parse); otherwise run the engine over the scan.
 */
import type { Engine, EngineSetup } from './engine.ts'
import { loadLastSync, type Unchanged } from './last-sync.ts'
import type { ResolvedOptions } from './options.ts'
import { scanTree, type Scan } from './scan.ts'
import { planFiles, syncFiles, type Plan, type SyncHooks, type SyncReport } from './sync.ts'

/** A whole-project run's hooks: the scan's, the engine's and the sync's (none of the latter when it answers from the last sync). */
export interface ProjectSetup extends EngineSetup, SyncHooks {
  /**
   * The scan is done: `paths` are the files the run covers. `walked`: the tree was walked (not
   * when every folder was as the last clean sync found it).
   */
  onScanned?: (paths: readonly string[], walked: boolean) => void
}

/** The engine loads only when a run needs it: a sync that the last record answers never does. */
async function loadEngine(options: ResolvedOptions, setup: EngineSetup): Promise<Engine> {
  const { createEngine } = await import('./engine.ts')
  return createEngine(options, setup)
}

/**
 * Scans the project (from the last clean sync's record when every folder is as it was, otherwise
 * with a walk), then either knows from that record that nothing changed, or loads the engine.
 * Without a record, the walk and the loading of the lockfile overlap.
 */
async function scanAndCheck<T>(
  options: ResolvedOptions,
  setup: ProjectSetup,
  unchanged: (found: Unchanged, started: number) => T,
  run: (engine: Engine, scan: Scan) => Promise<T>,
): Promise<T> {
  const last = await loadLastSync(options)
  if (last) {
    const listed = last.listed()
    const scan = listed ?? await scanTree(options)
    setup.onScanned?.(scan.paths, !listed)
    const started = performance.now()
    const found = last.unchanged(scan.paths)
    if (found) {
      // A folder changed but no file did (a new empty folder, a file added and removed): walk no more.
      if (!listed) await last.relist(scan)
      return unchanged(found, started)
    }
    return run(await loadEngine(options, setup), scan)
  }
  const [scan, engine] = await Promise.all([scanTree(options), loadEngine(options, setup)])
  setup.onScanned?.(scan.paths, true)
  return run(engine, scan)
}

/** `wix-media sync`: every media file of the project hosted and recorded. */
export function syncProject(options: ResolvedOptions, setup: ProjectSetup = {}): Promise<SyncReport> {
  return scanAndCheck(options, setup, ({ files, stale }, started) => ({
    files,
    uploaded: 0,
    uploadedBytes: 0,
    reused: files,
    adopted: 0,
    errors: [],
    stale,
    processing: 0,
    requests: 0,
    retries: 0,
    slowestPerMinute: null,
    durationMs: Math.round(performance.now() - started),
    fromLastSync: true,
  }), (engine, scan) => {
    // A run narrowed by the command line's globs saw part of the project: the rest of the cache stays.
    if (!options.only) engine.retainCache(scan.paths)
    return syncFiles(engine, scan.paths, { ...setup, observed: scan.observed })
  })
}

/** `wix-media status`: what a sync would do; `remote` also looks for files to adopt. */
export function planProject(options: ResolvedOptions, remote: boolean, setup: ProjectSetup = {}): Promise<Plan> {
  return scanAndCheck(options, setup, ({ files, stale }) => ({ work: [], unchanged: files, errors: [], stale, pathUpdates: 0 }),
    (engine, scan) => planFiles(engine, scan.paths, remote))
}
