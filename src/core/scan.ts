/**
 * Finding the media files of a project: fast-glob over `include` minus `exclude`, then the rules
 * of every `.gitignore` below the root (the `ignore` package implements git's matching exactly,
 * negations included). Symlinks are followed without looping (fast-glob tracks visited paths).
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import fg from 'fast-glob'
import ignore, { type Ignore } from 'ignore'

export interface ScanOptions {
  root: string
  include: readonly string[]
  exclude: readonly string[]
  /** Honour `.gitignore` files under the root. @default true */
  gitignore?: boolean
}

async function loadGitignores(root: string, exclude: readonly string[]): Promise<{ dir: string; rules: Ignore }[]> {
  const files = await fg('**/.gitignore', { cwd: root, ignore: [...exclude], dot: true, followSymbolicLinks: false, suppressErrors: true })
  return Promise.all(files.map(async (file) => ({
    dir: dirname(file) === '.' ? '' : `${dirname(file)}/`,
    rules: ignore().add(await readFile(join(root, file), 'utf8')),
  })))
}

/** Project-relative paths (with `/`), sorted. */
export async function scanFiles(options: ScanOptions): Promise<string[]> {
  const [found, gitignores] = await Promise.all([
    fg([...options.include], {
      cwd: options.root,
      ignore: [...options.exclude],
      onlyFiles: true,
      dot: false,
      followSymbolicLinks: true,
      unique: true,
      suppressErrors: true,
      caseSensitiveMatch: false,
    }),
    options.gitignore === false ? [] : loadGitignores(options.root, options.exclude),
  ])
  const kept = gitignores.length === 0
    ? found
    : found.filter((path) => !gitignores.some(({ dir, rules }) => path.startsWith(dir) && rules.ignores(path.slice(dir.length))))
  return kept.sort()
}
