/**
 * `wix-media.lock.json`: content hash → media file, meant to be committed. Output is sorted and
 * holds no churning fields, so diffs and merges stay small. Writes are atomic (temp file + rename)
 * and serialized across processes by a lock file; each write re-reads the file and applies only this
 * run's changes, so two processes syncing at once end with the union. A corrupt file, another
 * site's file or a newer schema is an error, never silently overwritten. The file records the
 * folder its paths are relative to (`root`, from the lockfile's own folder), so that a run from
 * another folder (a subfolder with `--lockfile ../…`) is refused instead of rewriting those paths.
 */
import { realpathSync } from 'node:fs'
import { mkdir, open, stat } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { writeFileAtomic } from './atomic-write.ts'
import { WixMediaError } from './errors.ts'
import { withFileLock } from './file-lock.ts'
import { isRacy, sameStamp, stampOf, type FileStamp } from './file-stamp.ts'
import type { MediaType } from './media-types.ts'

export const LOCKFILE_VERSION = 1

export interface LockEntry {
  /** Media Manager file id. */
  id: string
  /** Static URL of the hosted file. */
  url: string
  /** `wix:image://v1/…` style media URI, for Wix site code and the headless SDK. */
  uri: string
  mediaType: MediaType
  mimeType: string
  size: number
  width?: number
  height?: number
  /** Project paths (relative, `/`-separated) whose content this is. */
  paths: string[]
}

export interface LockfileData {
  version: number
  siteId: string | undefined
  /**
   * The project root the `paths` are relative to, from the lockfile's folder (`.`: the same
   * folder). Lockfiles written before it was recorded have none until their next write.
   */
  root?: string
  files: Record<string, LockEntry>
}

function lockfileError(file: string, reason: string, hint: string, cause?: unknown): WixMediaError {
  return new WixMediaError('WIX_MEDIA_LOCKFILE', reason, { file, hint, cause })
}

/** Parses and checks a lockfile's text. */
export function parseLockfile(text: string, file: string): LockfileData {
  let data: Partial<LockfileData>
  try {
    data = JSON.parse(text) as Partial<LockfileData>
  } catch (error) {
    // Conflict markers never leave valid JSON: look for them only when parsing failed.
    if (/^(<{7}|={7}|>{7})/m.test(text)) {
      throw lockfileError(file, 'the lockfile has merge conflict markers',
        'Take either side of the conflict (or delete the file) and run `wix-media sync`: it re-adopts uploaded files instead of uploading them again')
    }
    throw lockfileError(file, `the lockfile is not valid JSON (${(error as Error).message})`,
      'Restore it from git, or delete it and run `wix-media sync`: uploaded files are re-adopted, not uploaded again', error)
  }
  if (typeof data !== 'object' || data === null || typeof data.files !== 'object' || data.files === null || typeof data.version !== 'number') {
    throw lockfileError(file, 'the lockfile does not have the expected shape { version, siteId, files }',
      'Restore it from git, or delete it and run `wix-media sync`')
  }
  if (data.version > LOCKFILE_VERSION) {
    throw lockfileError(file, `the lockfile has schema version ${data.version}, newer than this tool's ${LOCKFILE_VERSION}`,
      'Upgrade unplugin-wix-media to the version that wrote it')
  }
  if (data.root !== undefined && (!isText(data.root) || isAbsolute(data.root))) {
    throw lockfileError(file, `the lockfile's \`root\` is not a relative folder (got ${JSON.stringify(data.root)})`,
      'Restore it from git (`root` is the project folder, seen from the lockfile\'s folder: usually ".")')
  }
  for (const [hash, entry] of Object.entries(data.files)) {
    const wrong = entryProblem(hash, entry)
    if (wrong) {
      throw lockfileError(file, `the lockfile's entry "${hash}" ${wrong}`,
        'Restore the file from git, or delete that entry (or the whole file) and run `wix-media sync`: uploaded files are re-adopted, not uploaded again')
    }
  }
  return { version: data.version, siteId: data.siteId, ...(data.root !== undefined && { root: data.root }), files: data.files }
}

const MEDIA_TYPES = new Set<unknown>(['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'VECTOR', 'ARCHIVE', 'MODEL3D', 'OTHER'] satisfies MediaType[])
const isText = (value: unknown) => typeof value === 'string' && value !== ''
const isCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0
/** A path as the lockfile records it: relative to the root, `/`-separated, never leaving it. */
const isProjectPath = (path: unknown) =>
  typeof path === 'string' && path !== '' && !path.startsWith('/') && !/^[A-Za-z]:/.test(path) && !path.split(/[\\/]/).includes('..')

/** What is wrong with one lockfile entry (a hand edit, a bad merge), or `undefined`. */
function entryProblem(hash: string, entry: unknown): string | undefined {
  if (!/^[0-9a-f]{64}$/.test(hash)) return 'is not keyed by a sha256 (64 hex digits)'
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'is not an object'
  const { id, url, uri, mediaType, mimeType, size, width, height, paths } = entry as Record<string, unknown>
  if (!isText(id)) return `has no \`id\` (got ${JSON.stringify(id)})`
  if (!isText(url) || !/^https?:$/.test(URL.parse(url as string)?.protocol ?? '')) return `has no valid \`url\` (an http(s) URL; got ${JSON.stringify(url)})`
  if (!isText(uri)) return `has no \`uri\` (got ${JSON.stringify(uri)})`
  if (!MEDIA_TYPES.has(mediaType)) return `has an unknown \`mediaType\` (got ${JSON.stringify(mediaType)})`
  if (!isText(mimeType)) return `has no \`mimeType\` (got ${JSON.stringify(mimeType)})`
  if (!isCount(size)) return `has a \`size\` that is not a whole number of bytes (got ${JSON.stringify(size)})`
  if ((width !== undefined && !isCount(width)) || (height !== undefined && !isCount(height))) return 'has a `width` or `height` that is not a whole number'
  if (!Array.isArray(paths) || !paths.every(isProjectPath)) return 'has `paths` that are not a list of project paths (relative, `/`-separated, inside the root)'
  return undefined
}

/** The lockfile's text: keys sorted, fixed field order, two-space indent, final newline. */
export function formatLockfile(data: LockfileData): string {
  const files: Record<string, LockEntry> = {}
  for (const hash of Object.keys(data.files).sort()) {
    const entry = data.files[hash]!
    files[hash] = {
      id: entry.id,
      url: entry.url,
      uri: entry.uri,
      mediaType: entry.mediaType,
      mimeType: entry.mimeType,
      size: entry.size,
      ...(entry.width !== undefined && { width: entry.width }),
      ...(entry.height !== undefined && { height: entry.height }),
      paths: [...new Set(entry.paths)].sort(),
    }
  }
  return `${JSON.stringify({ version: LOCKFILE_VERSION, siteId: data.siteId, root: data.root, files }, null, 2)}\n`
}

/** How a lockfile at `path` records the project root `root`: relative to its own folder, `/`-separated. */
function rootField(path: string, root: string): string {
  return relative(dirname(resolve(path)), resolve(root)).split(sep).join('/') || '.'
}

function sameFolder(a: string, b: string): boolean {
  if (a === b) return true
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return false
  }
}

/** A lockfile whose recorded root is not `root` must not be used from there: its paths mean other files. */
function checkRoot(data: LockfileData | undefined, path: string, root: string | undefined, label: string): void {
  if (data?.root === undefined || root === undefined) return
  const recorded = resolve(dirname(resolve(path)), data.root)
  if (sameFolder(recorded, resolve(root))) return
  throw new WixMediaError('WIX_MEDIA_CONFIG', `the lockfile's paths are relative to ${recorded} (its \`root\`), not to ${resolve(root)}`, {
    file: label,
    hint: `Run from ${recorded}, or pass --root ${recorded}; if the project's root has moved for good, delete the lockfile and run ` +
      '`wix-media sync` from the new root (uploaded files are re-adopted, not uploaded again)',
  })
}

/**
 * The lockfile's data and the stamp of the bytes it came from: `null` when there is no file,
 * `undefined` when it changed too recently to be told apart from a change right after (`isRacy`).
 */
async function readLockfile(file: string, label = file): Promise<{ data: LockfileData | undefined; stamp: FileStamp | null | undefined; seen: FileStamp | null }> {
  let text: string
  let stamp: FileStamp | undefined
  let seen: FileStamp
  try {
    // The stat of the open file, taken before reading it: a writer that comes after changes it.
    const handle = await open(file, 'r')
    try {
      const at = Date.now()
      const stats = await handle.stat()
      seen = stampOf(stats)
      stamp = isRacy(stats, at) ? undefined : seen
      text = await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { data: undefined, stamp: null, seen: null }
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new WixMediaError('WIX_MEDIA_CONFIG', 'the lockfile path is a folder', {
        file: label, hint: 'Point --lockfile (or `lockfile`) at a file, such as wix-media.lock.json', cause: error,
      })
    }
    throw lockfileError(label, `the lockfile cannot be read (${(error as NodeJS.ErrnoException).code})`, 'Check its permissions', error)
  }
  return { data: parseLockfile(text, label), stamp, seen }
}

export interface Lockfile {
  readonly path: string
  readonly siteId: string | undefined
  get(hash: string): LockEntry | undefined
  entries(): [string, LockEntry][]
  /** Records an entry (a new upload, or new paths for an old one). */
  set(hash: string, entry: LockEntry): void
  delete(hash: string): void
  /** Writes this run's changes now (merged with the file on disk). */
  flush(): Promise<void>
  /**
   * Reads the file again if another process wrote it since this one last read or wrote it (a second
   * sync, a parallel build): the entries it recorded join this view, under this run's own changes.
   * A stat when nothing changed; a file that cannot be read now is left for the next write to report.
   */
  refresh(): Promise<void>
  /** Changes not yet on disk. */
  readonly pending: number
  /**
   * The stamp of the file as this process read it, which the view above matches when nothing is
   * pending: `null` when there was no file, `undefined` when unknown (this process has written it
   * since, or it had changed too recently to be trusted: `isRacy`).
   */
  readonly stamp: FileStamp | null | undefined
}

/**
 * Opens the lockfile for a site. With `siteId` unset (no credentials), the file's own site is used.
 * `label` is how messages name it (the path relative to the project). `root`: the project root its
 * paths are relative to, checked against the one the file records, and recorded with each write.
 */
export async function openLockfile(path: string, siteId: string | undefined, label = path, root?: string): Promise<Lockfile> {
  const { data: loaded, stamp: loadedStamp, seen: loadedSeen } = await readLockfile(path, label)
  /** The file's stats as this process last read or wrote it. */
  let seen: FileStamp | null = loadedSeen
  let refreshing: Promise<void> | undefined
  /** Every hash this process deleted: a refresh that read the file before the delete was written must not bring it back. */
  const dropped = new Set<string>()
  checkRoot(loaded, path, root, label)
  let stamp: FileStamp | null | undefined = loadedStamp
  if (loaded?.siteId && siteId && loaded.siteId !== siteId) {
    throw lockfileError(label, `the lockfile belongs to site ${loaded.siteId}, not to ${siteId}`,
      'Check WIX_SITE_ID, or point `lockfile` at a file for this site')
  }
  const site = siteId ?? loaded?.siteId
  let view = new Map<string, LockEntry>(Object.entries(loaded?.files ?? {}))
  const upserts = new Map<string, LockEntry>()
  const deletes = new Set<string>()
  let writing: Promise<void> = Promise.resolve()

  const writeOnce = async () => {
    if (upserts.size === 0 && deletes.size === 0) return
    const batchUpserts = new Map(upserts)
    const batchDeletes = new Set(deletes)
    upserts.clear()
    deletes.clear()
    try {
      await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
        throw lockfileError(label, `the lockfile's folder cannot be created (${(error as NodeJS.ErrnoException).code})`, 'Check the folder\'s permissions', error)
      })
      await withFileLock(path, label, async () => {
        const { data: current } = await readLockfile(path, label)
        if (current?.siteId && site && current.siteId !== site) {
          throw lockfileError(label, `the lockfile now belongs to site ${current.siteId}, not to ${site}`, 'Check WIX_SITE_ID')
        }
        checkRoot(current, path, root, label)
        const files = new Map(Object.entries(current?.files ?? {}))
        for (const hash of batchDeletes) files.delete(hash)
        for (const [hash, entry] of batchUpserts) files.set(hash, entry)
        const rootAsRecorded = root === undefined ? current?.root : rootField(path, root)
        await writeFileAtomic(path, formatLockfile({ version: LOCKFILE_VERSION, siteId: site, root: rootAsRecorded, files: Object.fromEntries(files) }))
        // Just written, so too fresh to stamp (isRacy): the next run that reads it will.
        stamp = undefined
        // Under the lock no other process writes: these are the stats of what this one wrote.
        seen = await stat(path).then(stampOf, () => seen)
        view = files
        for (const [hash, entry] of upserts) view.set(hash, entry)
        for (const hash of deletes) view.delete(hash)
      })
    } catch (error) {
      // Keep this batch for the next flush, under anything newer.
      for (const [hash, entry] of batchUpserts) if (!upserts.has(hash)) upserts.set(hash, entry)
      for (const hash of batchDeletes) if (!upserts.has(hash)) deletes.add(hash)
      if (error instanceof WixMediaError) throw error
      throw lockfileError(label, `the lockfile cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        'Check the folder\'s permissions and the free space', error)
    }
  }

  return {
    path,
    siteId: site,
    get: (hash) => view.get(hash),
    entries: () => [...view].sort(([a], [b]) => (a < b ? -1 : 1)),
    set(hash, entry) {
      view.set(hash, entry)
      deletes.delete(hash)
      dropped.delete(hash)
      upserts.set(hash, entry)
    },
    delete(hash) {
      view.delete(hash)
      upserts.delete(hash)
      deletes.add(hash)
      dropped.add(hash)
    },
    get pending() {
      return upserts.size + deletes.size
    },
    get stamp() {
      return stamp
    },
    flush() {
      writing = writing.catch(() => {}).then(writeOnce)
      return writing
    },
    refresh() {
      refreshing ??= (async () => {
        const now = await stat(path).then(stampOf, () => null)
        if (now === null ? seen === null : seen !== null && sameStamp(now, seen)) return
        const { data, seen: read } = await readLockfile(path, label)
        seen = read
        // Another site's file, or another root's, is not merged: the next write reports it.
        if (!data || (data.siteId && site && data.siteId !== site)) return
        checkRoot(data, path, root, label)
        // The view is now of no one version of the file.
        stamp = undefined
        for (const [hash, entry] of Object.entries(data.files)) {
          if (!view.has(hash) && !dropped.has(hash)) view.set(hash, entry)
        }
      })().catch(() => undefined).finally(() => {
        refreshing = undefined
      })
      return refreshing
    },
  }
}
