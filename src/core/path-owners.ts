/**
 * A project path has one content at a time: recording a path under its new content takes it off
 * the lockfile entry of its old content (a file edited between two builds). `wix-media sync`
 * reconciles the whole tree at its end (reconcile.ts); plugin builds record files one by one and
 * need this. The index of path → entries is built on the first claim, then kept up to date.
 */
import type { Lockfile } from './lockfile.ts'

export interface PathOwners {
  /** `path` now has the content `hash`: every other entry that lists it lets go of it. */
  claim(path: string, hash: string): void
}

export function createPathOwners(lockfile: Lockfile): PathOwners {
  let owners: Map<string, Set<string>> | undefined
  const index = () => {
    if (!owners) {
      owners = new Map()
      for (const [hash, entry] of lockfile.entries()) {
        for (const path of entry.paths) {
          const listed = owners.get(path)
          if (listed) listed.add(hash)
          else owners.set(path, new Set([hash]))
        }
      }
    }
    return owners
  }
  return {
    claim(path, hash) {
      const listed = index().get(path)
      for (const previous of listed ?? []) {
        if (previous === hash) continue
        const entry = lockfile.get(previous)
        if (entry?.paths.includes(path)) lockfile.set(previous, { ...entry, paths: entry.paths.filter((other) => other !== path) })
      }
      index().set(path, new Set([hash]))
    },
  }
}
