/**
 * The files this tool already uploaded, found by the hash label they carry: the managed folder is
 * listed once per run (100 files a call), on the first lockfile miss. A hit is only adopted when its
 * label and size match exactly and it did not fail processing.
 */
import type { MediaClient } from '../client/client.ts'
import type { FileDescriptor } from '../client/wire.ts'
import { hashFromLabels } from './record.ts'

export interface RemoteIndex {
  /** Our file with this content, if the managed folder has one. */
  find(hash: string, size: number): Promise<FileDescriptor | undefined>
  /** Every file in the managed folder that carries our hash label (duplicates included). */
  labelled(): Promise<FileDescriptor[]>
}

export function createRemoteIndex(getClient: () => Promise<MediaClient>, folder: string, signal?: AbortSignal): RemoteIndex {
  let loading: Promise<{ byHash: Map<string, FileDescriptor>; labelled: FileDescriptor[] }> | undefined
  const load = async () => {
    const byHash = new Map<string, FileDescriptor>()
    const labelled: FileDescriptor[] = []
    const client = await getClient()
    const managed = await client.findFolder(folder, signal)
    if (!managed) return { byHash, labelled }
    for await (const file of client.listAllFiles(managed.id, signal)) {
      const hash = hashFromLabels(file.labels)
      if (!hash) continue
      labelled.push(file)
      if (file.operationStatus === 'FAILED') continue
      const known = byHash.get(hash)
      // Two uploads of the same bytes (parallel builds): keep the older one, so all builds converge.
      if (!known || file.createdDate < known.createdDate || (file.createdDate === known.createdDate && file.id < known.id)) byHash.set(hash, file)
    }
    return { byHash, labelled }
  }
  const all = () => (loading ??= load().catch((error: unknown) => {
    loading = undefined
    throw error
  }))
  return {
    labelled: async () => (await all()).labelled,
    async find(hash, size) {
      const file = (await all()).byHash.get(hash)
      return file && Number(file.sizeInBytes) === size ? file : undefined
    },
  }
}
