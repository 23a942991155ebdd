/**
 * Keeping the lockfile's `paths` true to the tree: which project paths have each entry's content
 * now, which entries no file uses (stale), which paths outside the scan are kept.
 */
import { access } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Engine, LocalAsset } from './engine.ts'

/**
 * Each lockfile entry's `paths` as the tree has them now: scanned paths with other content leave
 * it, scanned paths with its content join it, unscanned paths stay while the file exists (they are
 * added to `outside`).
 */
async function currentPaths(engine: Engine, assets: readonly LocalAsset[], outside: Set<string>): Promise<Map<string, string[]>> {
  const scanned = new Map<string, string>()
  const byHash = new Map<string, string[]>()
  for (const asset of assets) {
    scanned.set(asset.path, asset.hash)
    const paths = byHash.get(asset.hash)
    if (paths) paths.push(asset.path)
    else byHash.set(asset.hash, [asset.path])
  }
  const out = new Map<string, string[]>()
  for (const [hash, entry] of engine.lockfile.entries()) {
    const found = byHash.get(hash) ?? []
    // The usual case, and the whole of a no-change run: the entry lists exactly the scanned paths.
    if (found.length === entry.paths.length && entry.paths.every((path) => scanned.get(path) === hash)) {
      out.set(hash, entry.paths)
      continue
    }
    const kept: string[] = []
    for (const path of entry.paths) {
      const current = scanned.get(path)
      if (current !== undefined) {
        if (current === hash) kept.push(path)
      } else if (await access(resolve(engine.options.root, path)).then(() => true, () => false)) {
        kept.push(path)
        outside.add(path)
      }
    }
    out.set(hash, [...new Set([...kept, ...found])].sort())
  }
  return out
}

const samePaths = (current: string[], recorded: string[]) =>
  current === recorded || current.join('\n') === [...recorded].sort().join('\n')

export interface Reconciled {
  /** Each lockfile entry's paths as the tree has them now (the entry's own array when unchanged). */
  paths: Map<string, string[]>
  /** Lockfile hashes that no file uses any more. */
  stale: string[]
  /** Lockfile paths outside the scan, kept because their files exist. */
  outside: Set<string>
}

/** The lockfile's paths against `assets` (a scan, inspected), and what follows from them. Changes nothing. */
export async function reconcile(engine: Engine, assets: readonly LocalAsset[]): Promise<Reconciled> {
  const outside = new Set<string>()
  const paths = await currentPaths(engine, assets, outside)
  const stale = [...paths].filter(([, used]) => used.length === 0).map(([hash]) => hash)
  return { paths, stale, outside }
}

/** Lockfile entries still in use whose recorded paths differ from the tree's (files copied, moved or removed). */
export function pathUpdates(engine: Engine, reconciled: Reconciled): string[] {
  return [...reconciled.paths]
    .filter(([hash, paths]) => paths.length > 0 && !samePaths(paths, engine.lockfile.get(hash)!.paths))
    .map(([hash]) => hash)
}

/**
 * Stages the reconciled paths in the lockfile (the next flush writes them); with `dropStale`, the
 * entries that no file uses are deleted instead (`wix-media prune`).
 */
export function applyPaths(engine: Engine, reconciled: Reconciled, dropStale = false): void {
  for (const [hash, paths] of reconciled.paths) {
    const entry = engine.lockfile.get(hash)!
    if (dropStale && paths.length === 0) engine.lockfile.delete(hash)
    else if (!samePaths(paths, entry.paths)) engine.lockfile.set(hash, { ...entry, paths })
  }
}
