/**
 * Project paths (relative to the root, `/`-separated, as scans give them and the lockfile keeps
 * them) and the file system's paths, both ways.
 */
import { relative, resolve, sep } from 'node:path'

/** `path` (absolute, or relative to the working directory) as a project path: `/`-separated; `''` for the root itself. */
export function toProjectPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/')
}

/** Paths such as scans give (`a/b.png`: relative, no `.` or `..` parts), which can be joined as text. */
const PLAIN_RELATIVE = /^(?![\\/]|[a-zA-Z]:)(?!.*(?:^|[\\/])\.\.?(?:[\\/]|$))/

/** Turns project paths into absolute ones (plain relative paths, as scans give, joined as text). */
export function projectPaths(root: string): (path: string) => string {
  const rootPrefix = root.endsWith(sep) ? root : root + sep
  // path.resolve costs as much as a quarter of the stat it precedes; a plain relative path needs none of it.
  return (path) => (PLAIN_RELATIVE.test(path) ? rootPrefix + path : resolve(root, path))
}

/**
 * Like {@link projectPaths}, for a loop of synchronous stats: when the working directory is the
 * root (the CLI run in its project), plain relative paths stay as they are, and the kernel looks
 * each one up from the working directory instead of walking the root's own folders again (an
 * eighth of a stat's cost here). Only for code that does not yield in between: the working
 * directory cannot change under it then.
 */
export function pathsForSyncStats(root: string): (path: string) => string {
  let cwd: string | undefined
  try {
    cwd = process.cwd()
  } catch {
    // The working directory is gone: absolute paths.
  }
  if (cwd !== root) return projectPaths(root)
  return (path) => (PLAIN_RELATIVE.test(path) ? path : resolve(root, path))
}
