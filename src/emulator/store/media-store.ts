/**
 * The emulated Media Manager's data: files, folders, issued upload URLs and spent tokens. One
 * instance per emulator. Readers get read-only views; every change goes through a method here,
 * which calls `changed()` so that a data directory stays current.
 */
import { randomBytes } from 'node:crypto'
import { MEDIA_ROOT, TRASH_ROOT, VISITOR_UPLOADS_ROOT } from '../../client/wire.ts'
import type { Random } from '../random.ts'
import { newFolderId } from '../ids.ts'
import type { FileRecord, FolderRecord, PendingUpload, PersistedState } from './records.ts'

const ROOTS = new Set([MEDIA_ROOT, TRASH_ROOT, VISITOR_UPLOADS_ROOT])

/** What an update of a file descriptor may change (`labels` replace the array). */
type FilePatch = Partial<Pick<FileRecord, 'displayName' | 'parentFolderId' | 'labels'>>

/** How an import ended: `READY` with what was fetched, or `FAILED`; `PENDING` until `readyAt`. */
export type ImportOutcome =
  | Pick<FileRecord, 'size' | 'hash' | 'readyAt' | 'width' | 'height'> & { outcome: 'READY' }
  | Pick<FileRecord, 'readyAt'> & { outcome: 'FAILED' }

export class MediaStore {
  readonly #files = new Map<string, FileRecord>()
  readonly #folders = new Map<string, FolderRecord>()
  readonly #pending = new Map<string, PendingUpload>()
  readonly #spent = new Map<string, number>()
  readonly secret: string
  readonly #random: Random
  readonly #changed: () => void

  constructor(random: Random, changed: () => void, state?: PersistedState) {
    this.#random = random
    this.#changed = changed
    this.secret = state?.secret ?? randomBytes(32).toString('hex')
    for (const file of state?.files ?? []) this.#files.set(file.id, file)
    for (const folder of state?.folders ?? []) this.#folders.set(folder.id, folder)
    for (const upload of state?.pending ?? []) this.#pending.set(upload.jti, upload)
    for (const { jti, exp } of state?.spent ?? []) this.#spent.set(jti, exp)
  }

  get files(): ReadonlyMap<string, Readonly<FileRecord>> {
    return this.#files
  }

  get folders(): ReadonlyMap<string, Readonly<FolderRecord>> {
    return this.#folders
  }

  /** Upload URLs generated and not used yet, by token id. */
  get pending(): ReadonlyMap<string, Readonly<PendingUpload>> {
    return this.#pending
  }

  snapshot(): PersistedState {
    const now = Date.now()
    return {
      version: 1,
      secret: this.secret,
      files: [...this.#files.values()],
      folders: [...this.#folders.values()],
      pending: [...this.#pending.values()].filter((upload) => upload.exp > now),
      spent: [...this.#spent].filter(([, exp]) => exp > now).map(([jti, exp]) => ({ jti, exp })),
    }
  }

  usedBytes(): number {
    let total = 0
    for (const file of this.#files.values()) total += file.size
    return total
  }

  folderExists(id: string): boolean {
    return ROOTS.has(id) || this.#folders.has(id)
  }

  isSpent(jti: string): boolean {
    return this.#spent.has(jti)
  }

  /** Remembers an upload URL that was just generated, until it is used or expires. */
  addPendingUpload(upload: PendingUpload): void {
    this.#pending.set(upload.jti, upload)
    this.#changed()
  }

  /** Marks an upload token used, so that a second upload with it is refused. */
  spend(upload: PendingUpload): void {
    this.#pending.delete(upload.jti)
    this.#spent.set(upload.jti, upload.exp)
    this.#changed()
  }

  createFolder(displayName: string, parentFolderId: string, now = Date.now()): FolderRecord {
    const folder: FolderRecord = { id: newFolderId(this.#random), displayName, parentFolderId, createdAt: now, updatedAt: now }
    this.#folders.set(folder.id, folder)
    this.#changed()
    return folder
  }

  /** Walks `/a/b/c` below `parentFolderId`, creating the folders that are missing; returns the last. */
  ensureFolderPath(parentFolderId: string, filePath: string): string {
    let parent = parentFolderId
    for (const name of filePath.split('/').filter(Boolean)) {
      const existing = [...this.#folders.values()].find((f) => f.parentFolderId === parent && f.displayName === name)
      parent = (existing ?? this.createFolder(name, parent)).id
    }
    return parent
  }

  addFile(file: FileRecord): void {
    this.#files.set(file.id, file)
    this.#changed()
  }

  /** Changes what `patch` names and bumps `updatedAt`; `undefined` when there is no such file. */
  updateFile(id: string, patch: FilePatch, now = Date.now()): FileRecord | undefined {
    const file = this.#files.get(id)
    if (!file) return undefined
    if (patch.displayName !== undefined) file.displayName = patch.displayName
    if (patch.parentFolderId !== undefined) file.parentFolderId = patch.parentFolderId
    if (patch.labels !== undefined) file.labels = [...patch.labels]
    this.#touch(file, now)
    this.#changed()
    return file
  }

  /** Moves files to the trash (remembering where they were); files already there stay as they are. */
  trashFiles(ids: readonly string[], now = Date.now()): void {
    for (const id of ids) {
      const file = this.#files.get(id)
      if (!file || file.parentFolderId === TRASH_ROOT) continue
      file.trashedFrom = file.parentFolderId
      file.parentFolderId = TRASH_ROOT
      this.#touch(file, now)
    }
    this.#changed()
  }

  /** Forgets files for good (their bytes are the blob store's to delete). */
  deleteFiles(ids: readonly string[]): void {
    for (const id of ids) this.#files.delete(id)
    this.#changed()
  }

  /** Records how an import ended; nothing when the file was deleted meanwhile. */
  settleImport(id: string, outcome: ImportOutcome, now = Date.now()): void {
    const file = this.#files.get(id)
    if (!file) return
    Object.assign(file, outcome)
    this.#touch(file, now)
    this.#changed()
  }

  /** `updatedAt` moves forward on every change, even two in the same millisecond. */
  #touch(file: FileRecord, now: number): void {
    file.updatedAt = Math.max(now, file.updatedAt + 1)
  }
}
