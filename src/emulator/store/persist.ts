/**
 * Saves the emulator's state to `<dataDir>/state.json`: atomic (temp file + rename), coalesced
 * (many changes in a burst cost one write), and flushed on close.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../../core/atomic-write.ts'
import type { PersistedState } from './records.ts'

interface Persister {
  load(): Promise<PersistedState | undefined>
  /** Schedules a write of `snapshot()`; returns when that write (or a later one) is on disk. */
  save(): Promise<void>
  flush(): Promise<void>
}

export function createPersister(dataDir: string | undefined, snapshot: () => PersistedState): Persister {
  if (!dataDir) {
    return { load: async () => undefined, save: async () => {}, flush: async () => {} }
  }
  const file = join(dataDir, 'state.json')
  let writing: Promise<void> | undefined
  let queued: Promise<void> | undefined

  const writeOnce = async () => {
    await writeFileAtomic(file, JSON.stringify(snapshot()))
  }

  const save = (): Promise<void> => {
    if (queued) return queued
    if (!writing) {
      writing = writeOnce().finally(() => {
        writing = undefined
      })
      return writing
    }
    queued = writing.catch(() => {}).then(() => {
      queued = undefined
      return save()
    })
    return queued
  }

  return {
    async load() {
      let text: string
      try {
        text = await readFile(file, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
      const state = JSON.parse(text) as PersistedState
      if (state.version !== 1) throw new Error(`${file}: unknown emulator state version ${String(state.version)}`)
      return state
    },
    save,
    async flush() {
      await (queued ?? writing)
    },
  }
}
