/**
 * The resumable upload of the contract's section 2.2, over TUS 1.0.0: create the upload, PATCH it in
 * chunks read straight from disk, and after a dropped connection ask the server (HEAD) how much it
 * has and go on from there; then finish with `PUT <uploadUrl>/<uploadToken>?filename=`.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Dispatcher } from 'undici'
import { isWixMediaError, WixMediaError } from '../core/errors.ts'
import { errorFromResponse } from './errors.ts'
import { fileSource } from './file-body.ts'
import { header } from './http.ts'
import { retryDelay, withRetries, type RetryPolicy, type Setback } from './retry.ts'
import { checkSent, descriptorOf, sendTransfer, type LocalFile, type TransferRequest, type TransferSettings } from './transfer.ts'
import type { FileDescriptor } from './wire.ts'

const TUS_VERSION = '1.0.0'

export interface TusSettings extends TransferSettings {
  /** Bytes per PATCH. */
  chunkSize: number
  /** How often one chunk may fail before the upload gives up. */
  retry: RetryPolicy
  /** Told of every chunk that is sent again. */
  onSetback?: (setback: Setback) => void
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

const send = (settings: TransferSettings, what: string, url: string, init: TransferRequest, ok: number[]) =>
  sendTransfer(settings, what, '/upload/tus', url, init, ok)

/**
 * The bytes of `file` a TUS server says it holds (`Upload-Offset`): `missing` when it does not say,
 * and an error when it says something no upload of this file can have (not a whole number, or more
 * than the file's size), which retrying from there could only make worse.
 */
function offsetOf(answer: { headers: Dispatcher.ResponseData['headers'] }, file: LocalFile, what: string, missing: number): number {
  const value = header(answer.headers, 'upload-offset')
  if (value === undefined) return missing
  if (/^\d{1,15}$/.test(value.trim()) && Number(value) <= file.size) return Number(value)
  throw new WixMediaError('WIX_MEDIA_SERVER', `${what}: the upload server says it holds ${JSON.stringify(value.slice(0, 40))} bytes of a ${file.size}-byte file`, {
    hint: 'A fault on the upload server\'s side: run the sync again (the upload starts over). If it persists, tell Wix support',
  })
}

export async function tusUpload(
  settings: TusSettings,
  target: { uploadUrl: string; uploadToken: string },
  file: LocalFile,
  contentType: string,
  signal?: AbortSignal,
): Promise<FileDescriptor> {
  const created = await send(settings, 'Starting a resumable upload', target.uploadUrl, {
    method: 'POST',
    headers: {
      'tus-resumable': TUS_VERSION,
      'upload-length': String(file.size),
      'upload-metadata': `filename ${b64(file.fileName)},contentType ${b64(contentType)},token ${b64(target.uploadToken)}`,
    },
    signal,
  }, [201])
  const location = header(created.headers, 'location')
  if (!location) throw errorFromResponse('Starting a resumable upload', 502, { message: 'no Location header' }, undefined, undefined)
  const resource = new URL(location, target.uploadUrl).toString()

  /** How much the server kept (HEAD), itself retried: a blip while resuming must not restart the upload. */
  const serverOffset = () => withRetries(async () => {
    const head = await send(settings, 'Resuming an upload', resource, { method: 'HEAD', headers: { 'tus-resumable': TUS_VERSION }, signal }, [200])
    return offsetOf(head, file, 'Resuming an upload', 0)
  }, settings.retry, { signal })

  // One source for every PATCH: its two buffers serve the whole upload, one chunk after another.
  const source = fileSource(file.path, file.size, settings.reuseBuffers)
  let offset = 0
  let failures = 0
  while (offset < file.size) {
    const end = Math.min(file.size, offset + settings.chunkSize)
    try {
      const answer = await send(settings, 'Sending a part of a resumable upload', resource, {
        method: 'PATCH',
        headers: {
          'tus-resumable': TUS_VERSION,
          'upload-offset': String(offset),
          'content-type': 'application/offset+octet-stream',
          'content-length': String(end - offset),
        },
        body: source.range(offset, end),
        signal,
      }, [204])
      offset = offsetOf(answer, file, 'Sending a part of a resumable upload', end)
      // A server that kept less than it was sent: the next part starts there.
      source.rewind(offset)
      failures = 0
    } catch (error) {
      if (signal?.aborted) throw error
      failures++
      const delay = retryDelay(failures, error, settings.retry, Math.random())
      const conflict = isWixMediaError(error) && error.status === 409
      if (delay === undefined && !conflict) throw error
      if (conflict && failures >= settings.retry.attempts) throw error
      settings.onSetback?.({ kind: 'retry', error, attempt: failures, attempts: settings.retry.attempts, delayMs: delay ?? 0 })
      if (delay) await sleep(delay, undefined, { signal })
      offset = await serverOffset()
      source.rewind(offset)
    }
  }

  const finish = new URL(`${target.uploadUrl.replace(/\/+$/, '')}/${target.uploadToken}`)
  finish.searchParams.set('filename', file.fileName)
  const done = await send(settings, 'Finishing a resumable upload', finish.toString(), { method: 'PUT', signal }, [200])
  const uploaded = descriptorOf(done, 'Finishing a resumable upload')
  await checkSent(file, source, uploaded)
  return uploaded
}
