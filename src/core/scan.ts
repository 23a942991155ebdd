/**
 * Finding the media files of a project: fast-glob over `include` minus `exclude`, then the rules
 * git applies there: every `.gitignore` below the root and, inside a repository, the ones above it
 * up to the repository's top and `.git/info/exclude` (the `ignore` package implements git's
 * matching exactly, negations included; a deeper file overrides a shallower one, as in git). Symlinked folders are
 * followed, but fast-glob does not detect loops: a link to a parent would be walked 40 levels deep
 * (two such links 2^40 times), so, like `find -L`, a folder link whose target is one of the folders
 * it sits in (or above them) is not followed. Folders whose names start with a dot are walked
 * (`.vitepress/theme/`, `.storybook/`: a build hosts what it imports from there, so a prebuild sync
 * must upload it), except version control's own; files whose names start with a dot (macOS's
 * `._photo.jpg` resource forks) only when an `include` glob names them. The libraries load on the
 * first walk: a sync that needs none (its last record lists the files, last-sync.ts) does not pay
 * for loading them.
 */
import { existsSync, readdir as readdirCallback, stat as statCallback, statSync, type Stats } from 'node:fs'
import { readFile, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type FastGlob from 'fast-glob'
import { WixMediaError } from './errors.ts'
import type { Ignore } from 'ignore'
import { toProjectPath } from './project-path.ts'

export interface ScanOptions {
  root: string
  include: readonly string[]
  exclude: readonly string[]
  /** Honour what git ignores (`.gitignore` files in and above the root, `.git/info/exclude`). @default true */
  gitignore?: boolean
  /** The tool's cache folder: never walked (it holds no media, and its writes are not changes to the tree). */
  cacheDir?: string
  /** Globs that narrow the scan to the `include` files matching one of them (the command line's). */
  only?: readonly string[]
}

/**
 * The `stat` fast-glob resolves symlinks with (it gets absolute paths under `root`): it fails for a
 * folder link that points at one of the folders on its own path up to the root, or above them, so
 * that fast-glob does not follow it.
 */
function loopSafeStat(root: string): (path: string, callback: (error: NodeJS.ErrnoException | null, stats: Stats) => void) => void {
  const reals = new Map<string, Promise<string>>()
  const real = (path: string) => {
    let promise = reals.get(path)
    if (!promise) reals.set(path, promise = realpath(path).catch(() => path))
    return promise
  }
  return (path, callback) => statCallback(path, (error, stats) => {
    if (error || !stats.isDirectory()) return callback(error, stats)
    const above: string[] = []
    for (let dir = dirname(path); dir.length >= root.length && !above.includes(dir); dir = dirname(dir)) above.push(dir)
    void Promise.all([real(path), ...above.map(real)]).then(([target, ...folders]) => {
      const loops = folders.some((folder) => folder === target || folder.startsWith(`${target!}${sep}`))
      callback(loops ? Object.assign(new Error(`${path} links back to a folder it is in`), { code: 'ELOOP' }) : null, stats)
    })
  })
}

/**
 * One ignore file's rules: they apply to paths under `dir` (root-relative, `''` or `a/b/`), read
 * from the file's own folder: `prefix` is the way from there to the root (`packages/site/` for a
 * `.gitignore` above the root).
 */
interface IgnoreRules {
  dir: string
  prefix: string
  rules: Ignore
}

/** git's precedence: a file in an ignored folder stays ignored; otherwise the deepest matching rule decides. */
function isIgnored(path: string, gitignores: readonly IgnoreRules[]): boolean {
  let ignored = false
  for (const { dir, prefix, rules } of gitignores) {
    if (!path.startsWith(dir)) continue
    const relative = prefix + path.slice(dir.length)
    const folder = relative.slice(0, relative.lastIndexOf('/') + 1)
    if (folder && rules.ignores(folder)) return true
    const result = rules.test(relative)
    if (result.ignored) ignored = true
    else if (result.unignored) ignored = false
  }
  return ignored
}

/**
 * The ignore files git applies to the root from above it: the repository's `.git/info/exclude`,
 * then each `.gitignore` from the top of the repository down to the root's parent. None when the
 * root is not inside a repository. Each one is observed, there or not: creating one is a change.
 */
async function ignoresAbove(root: string, observed: Observed[]): Promise<IgnoreRules[]> {
  const above: string[] = []
  let top: string | undefined
  for (let dir = resolve(root); ; ) {
    if (existsSync(join(dir, '.git'))) {
      top = dir
      break
    }
    const parent = dirname(dir)
    if (parent === dir) return []
    above.unshift(dir = parent)
  }
  const { default: ignore } = await import('ignore')
  const files = [join(top, '.git', 'info', 'exclude'), ...above.map((dir) => join(dir, '.gitignore'))]
  const out: IgnoreRules[] = []
  for (const file of files) {
    const seen = observe(toProjectPath(root, file), file)
    observed.push(seen)
    if (!seen.stats?.isFile()) continue
    // info/exclude is read from the top of the repository, a .gitignore from its own folder.
    const fromRoot = relative(file === files[0] ? top : dirname(file), resolve(root)).split(sep).join('/')
    out.push({ dir: '', prefix: fromRoot ? `${fromRoot}/` : '', rules: ignore().add(await readFile(file, 'utf8')) })
  }
  return out
}

async function loadGitignores(root: string, files: readonly string[], observed: Observed[]): Promise<IgnoreRules[]> {
  const { default: ignore } = await import('ignore')
  const loaded = await Promise.all(files.map(async (file) => {
    observed.push(observe(file, join(root, file)))
    return {
      dir: dirname(file) === '.' ? '' : `${dirname(file)}/`,
      prefix: '',
      rules: ignore().add(await readFile(join(root, file), 'utf8')),
    }
  }))
  // Shallower first: a deeper file's rules override them, as in git; the ones above the root come first of all.
  return [...await ignoresAbove(root, observed), ...loaded.sort((a, b) => a.dir.length - b.dir.length)]
}

const GITIGNORE = '**/.gitignore'
/** Version control's folders: never walked, whatever `exclude` says (they hold no project media). */
const VCS_FOLDERS = ['**/.git/**', '**/.hg/**', '**/.svn/**']
const isGitignore = (path: string) => path === '.gitignore' || path.endsWith('/.gitignore')

/** The fast-glob options of the walk (shared with the benchmark that times a bare walk as its floor). */
export async function walkOptions(options: ScanOptions): Promise<FastGlob.Options> {
  const { default: fg } = await import('fast-glob')
  const cache = options.cacheDir === undefined ? '' : relative(resolve(options.root), resolve(options.root, options.cacheDir))
  const inside = cache !== '' && !cache.startsWith('..') && !isAbsolute(cache)
  const ignore = [...options.exclude, ...VCS_FOLDERS]
  return {
    cwd: options.root,
    ignore: inside ? [...ignore, `${fg.escapePath(cache.split(sep).join('/'))}/**`] : ignore,
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: true,
    unique: true,
    suppressErrors: true,
    caseSensitiveMatch: false,
  }
}

/**
 * A folder the walk read (its path ends with `/`; the root is `./`), a symlink it resolved, or a
 * `.gitignore` it applied, with its stats (through links) taken just before it was read: what
 * decides the scan's result besides the options.
 */
export interface Observed {
  path: string
  /** `undefined`: it did not exist (a pattern's base folder the walk tried to read). */
  stats: Stats | undefined
  /** When the stats were taken (ms since the epoch). */
  at: number
}

const isDotFile = (path: string) => path.startsWith('.', path.lastIndexOf('/') + 1)

/**
 * Whether an `include` glob that matches a dot file names it (`src/.hero.png`, `**\/.*.png`):
 * its last segment matches the file name without letting a wildcard stand for the dot.
 */
async function namedDotFiles(include: readonly string[]): Promise<(path: string) => boolean> {
  const { default: picomatch } = await import('picomatch')
  const globs = include.map((glob) => ({
    path: picomatch(glob, { dot: true, nocase: true }),
    name: picomatch(glob.slice(glob.lastIndexOf('/') + 1), { dot: false, nocase: true }),
  }))
  return (path) => {
    const name = path.slice(path.lastIndexOf('/') + 1)
    return globs.some((glob) => glob.path(path) && glob.name(name))
  }
}

/** `include` as a test of one path, with the walk's own rules (dot folders, any case). */
async function includeMatcher(include: readonly string[]): Promise<(path: string) => boolean> {
  const { default: picomatch } = await import('picomatch')
  return picomatch([...include], { dot: true, nocase: true })
}

/** Stats one entry (through links) for {@link Observed}. */
export function observe(path: string, absolutePath: string): Observed {
  const at = Date.now()
  try {
    return { path, stats: statSync(absolutePath, { throwIfNoEntry: false }), at }
  } catch {
    // A link to itself (ELOOP), or a path through a file (ENOTDIR): it names nothing, as a missing one.
    return { path, stats: undefined, at }
  }
}

export interface Scan {
  /** Project-relative paths (with `/`), sorted. */
  paths: string[]
  /** Every folder read, symlink resolved and `.gitignore` applied, in no particular order (a folder may come twice). */
  observed: Observed[]
}

/** A scan that missed folders is no scan: a sync would call their files gone, a prune drop their entries. */
function unreadableError(unreadable: readonly { folder: string; code: string }[]): WixMediaError {
  const [first, ...more] = [...unreadable].sort((a, b) => (a.folder < b.folder ? -1 : 1))
  const others = more.length > 0 ? ` (and ${more.length} more: ${more.map(({ folder }) => folder).join(', ')})` : ''
  return new WixMediaError('WIX_MEDIA_FILE', `the folder cannot be read (${first!.code}), so its files cannot be scanned${others}`, {
    file: first!.folder,
    hint: 'Fix its permissions, or leave it out with `exclude`',
  })
}

/** Finds the project's media files, and what the result depends on. */
export async function scanTree(options: ScanOptions): Promise<Scan> {
  const honourGitignore = options.gitignore !== false
  const root = resolve(options.root)
  const observed: Observed[] = []
  // Every folder is stat'ed before it is read: a file added to or removed from it later changes its mtime.
  // fast-glob (suppressErrors) would skip a folder it cannot read in silence: note it, to fail the scan.
  const unreadable: { folder: string; code: string }[] = []
  // fast-glob calls it as readdir(path, { withFileTypes: true }, callback).
  const readdir = ((path: string, options: { withFileTypes: true }, callback: (error: NodeJS.ErrnoException | null, entries: unknown) => void) => {
    const relativePath = toProjectPath(root, path)
    const folder = relativePath ? `${relativePath}/` : './'
    observed.push(observe(folder, path))
    readdirCallback(path, options, (error, entries) => {
      // Gone or replaced by a file since it was listed: a change during the walk, not a fault.
      if (error && error.code !== 'ENOENT' && error.code !== 'ENOTDIR') unreadable.push({ folder, code: error.code ?? error.message })
      callback(error, entries)
    })
  }) as unknown as typeof readdirCallback
  // And every symlink the walk resolves, through the link: what it points at (a file, a folder,
  // nothing yet) can change with no folder of the tree changing.
  const loopSafe = loopSafeStat(root)
  const stat: typeof loopSafe = (path, callback) => {
    observed.push(observe(toProjectPath(root, path), path))
    loopSafe(path, callback)
  }
  // One walk finds both the media and the .gitignore files; narrowed, only where the globs lead.
  const { default: fg } = await import('fast-glob')
  const patterns = options.only ?? options.include
  const found = await fg(honourGitignore ? [...patterns, GITIGNORE] : [...patterns], {
    ...await walkOptions(options),
    fs: { stat, readdir },
  })
  if (unreadable.length > 0) throw unreadableError(unreadable)
  const named = await namedDotFiles(patterns)
  const included = options.only ? await includeMatcher(options.include) : () => true
  const media = found.filter((path) => !isGitignore(path) && (!isDotFile(path) || named(path)) && included(path))
  if (!honourGitignore) return { paths: media.sort(), observed }
  const gitignores = await loadGitignores(options.root, found.filter(isGitignore), observed)
  const kept = gitignores.length === 0 ? media : media.filter((path) => !isIgnored(path, gitignores))
  return { paths: kept.sort(), observed }
}

/** Project-relative paths (with `/`), sorted. */
export async function scanFiles(options: ScanOptions): Promise<string[]> {
  return (await scanTree(options)).paths
}
