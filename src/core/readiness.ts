/**
 * Waiting until an uploaded file is READY: an upload answers before processing ends (video, audio,
 * large images). Polls get-file-by-id with a growing gap (few calls), up to a deadline; FAILED is an error.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { MediaClient } from '../client/client.ts'
import type { FileDescriptor } from '../client/wire.ts'
import { WixMediaError } from './errors.ts'

const FIRST_POLL_MS = 250
const MAX_POLL_MS = 5_000

export async function waitUntilReady(
  client: MediaClient,
  descriptor: FileDescriptor,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<FileDescriptor> {
  const deadline = Date.now() + timeoutMs
  let current = descriptor
  for (let gap = FIRST_POLL_MS; current.operationStatus === 'PENDING'; gap = Math.min(MAX_POLL_MS, gap * 1.6)) {
    const left = deadline - Date.now()
    if (left <= 0) {
      throw new WixMediaError('WIX_MEDIA_PROCESSING', `the Media Manager was still processing file ${current.id} after ${Math.round(timeoutMs / 1000)} s`, {
        hint: 'Raise `waitForReady`, or run `wix-media verify` later',
      })
    }
    await sleep(Math.min(gap, left), undefined, { signal })
    current = await client.getFile(current.id, signal)
  }
  if (current.operationStatus === 'FAILED') {
    throw new WixMediaError('WIX_MEDIA_PROCESSING', `the Media Manager could not process file ${current.id} (operationStatus FAILED)`, {
      hint: 'Check that the file opens locally and is a format Wix supports; re-export it and run again',
    })
  }
  return current
}
