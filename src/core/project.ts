/**
 * Whole-project runs, as `wix-media sync` and `status` make them: scan the project, and when every
 * file is as the last clean sync left it, answer from that record (a stat per file, no lockfile
 * parse); otherwise run the engine over the scan.
 */
import { createEngine, type Engine, type EngineSetup, type LocalAsset } from './engine.ts'
import { loadLastSync } from './last-sync.ts'
import type { ResolvedOptions } from './options.ts'
import { scanFiles } from './scan.ts'
import { planFiles, syncFiles, type Plan, type SyncReport } from './sync.ts'

export interface ProjectSetup extends EngineSetup {
  /** The scan is done: `paths` are the files the run covers. */
  onScanned?: (paths: readonly string[]) => void
  /** Every file is hashed, before any upload (not called when the run answers from the last sync). */
  onInspected?: (assets: readonly LocalAsset[]) => void
}

/**
 * Scans the project, then either knows from the last clean sync's record that nothing changed, or
 * loads the engine. Without a record, the walk and the loading of the lockfile overlap.
 */
async function scanAndCheck<T>(
  options: ResolvedOptions,
  setup: ProjectSetup,
  unchanged: (found: { files: number; stale: string[] }, started: number) => T,
  run: (engine: Engine, paths: string[]) => Promise<T>,
): Promise<T> {
  const last = await loadLastSync(options)
  if (last) {
    const paths = await scanFiles(options)
    setup.onScanned?.(paths)
    const started = performance.now()
    const found = last.unchanged(paths)
    if (found) return unchanged(found, started)
    return run(await createEngine(options, setup), paths)
  }
  const [paths, engine] = await Promise.all([scanFiles(options), createEngine(options, setup)])
  setup.onScanned?.(paths)
  return run(engine, paths)
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
    requests: 0,
    durationMs: Math.round(performance.now() - started),
    fromLastSync: true,
  }), (engine, paths) => syncFiles(engine, paths, setup))
}

/** `wix-media status`: what a sync would do; `remote` also looks for files to adopt. */
export function planProject(options: ResolvedOptions, remote: boolean, setup: ProjectSetup = {}): Promise<Plan> {
  return scanAndCheck(options, setup, ({ files, stale }) => ({ work: [], unchanged: files, errors: [], stale }),
    (engine, paths) => planFiles(engine, paths, remote))
}
