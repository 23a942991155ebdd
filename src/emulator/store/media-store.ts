/**
 * The emulated Media Manager's data: files, folders, issued upload URLs and spent tokens. One
 * instance per emulator; every change calls `changed()` so that a data directory stays current.
 */
import { randomBytes } from 'node:crypto'
import { MEDIA_ROOT, TRASH_ROOT, VISITOR_UPLOADS_ROOT } from '../../client/wire.ts'
import type { Random } from '../random.ts'
import { newFolderId } from '../ids.ts'
import type { FileRecord, FolderRecord, PendingUpload, PersistedState } from './records.ts'

const ROOTS = new Set([MEDIA_ROOT, TRASH_ROOT, VISITOR_UPLOADS_ROOT])

export class MediaStore {
  readonly files = new Map<string, FileRecord>()
  readonly folders = new Map<string, FolderRecord>()
  readonly pending = new Map<string, PendingUpload>()
  readonly #spent = new Map<string, number>()
  readonly secret: string
  readonly #random: Random
  readonly changed: () => void

  constructor(random: Random, changed: () => void, state?: PersistedState) {
    this.#random = random
    this.changed = changed
    this.secret = state?.secret ?? randomBytes(32).toString('hex')
    for (const file of state?.files ?? []) this.files.set(file.id, file)
    for (const folder of state?.folders ?? []) this.folders.set(folder.id, folder)
    for (const upload of state?.pending ?? []) this.pending.set(upload.jti, upload)
    for (const { jti, exp } of state?.spent ?? []) this.#spent.set(jti, exp)
  }

  snapshot(): PersistedState {
    const now = Date.now()
    return {
      version: 1,
      secret: this.secret,
      files: [...this.files.values()],
      folders: [...this.folders.values()],
      pending: [...this.pending.values()].filter((upload) => upload.exp > now),
      spent: [...this.#spent].filter(([, exp]) => exp > now).map(([jti, exp]) => ({ jti, exp })),
    }
  }

  usedBytes(): number {
    let total = 0
    for (const file of this.files.values()) total += file.size
    return total
  }

  folderExists(id: string): boolean {
    return ROOTS.has(id) || this.folders.has(id)
  }

  isSpent(jti: string): boolean {
    return this.#spent.has(jti)
  }

  /** Marks an upload token used, so that a second upload with it is refused. */
  spend(upload: PendingUpload): void {
    this.pending.delete(upload.jti)
    this.#spent.set(upload.jti, upload.exp)
    this.changed()
  }

  createFolder(displayName: string, parentFolderId: string, now = Date.now()): FolderRecord {
    const folder: FolderRecord = { id: newFolderId(this.#random), displayName, parentFolderId, createdAt: now, updatedAt: now }
    this.folders.set(folder.id, folder)
    this.changed()
    return folder
  }

  /** Walks `/a/b/c` below `parentFolderId`, creating the folders that are missing; returns the last. */
  ensureFolderPath(parentFolderId: string, filePath: string): string {
    let parent = parentFolderId
    for (const name of filePath.split('/').filter(Boolean)) {
      const existing = [...this.folders.values()].find((f) => f.parentFolderId === parent && f.displayName === name)
      parent = (existing ?? this.createFolder(name, parent)).id
    }
    return parent
  }

  addFile(file: FileRecord): void {
    this.files.set(file.id, file)
    this.changed()
  }
}
