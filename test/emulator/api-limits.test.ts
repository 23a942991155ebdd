/**
 * The emulator's REST surface over real HTTP on 127.0.0.1, checked against the wire contract in
 * wix-media-api.md: size limits, the site quota (uploads and imports) and oversized JSON bodies.
 */
import { describe, expect, it } from 'vitest'
import type { WireError } from '../../src/client/wire.ts'
import { useEmulator } from '../support/emulator.ts'
import { pdf, png } from '../support/media.ts'
import { expectAppError, expectRule, fetchBytes, REQUEST_ID, serveAssets, uploaded, waitForStatus, type FileAnswer, type UploadUrlAnswer } from './api-support.ts'

describe('size limits and quota', () => {
  describe('maxFileSize', () => {
    const api = useEmulator({ maxFileSize: { IMAGE: 1000 } })

    it('FILE_SIZE_OVER_LIMIT for a declared size and for the bytes actually sent', async () => {
      expectRule(await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png', sizeInBytes: '1001' }), 'FILE_SIZE_OVER_LIMIT', 'sizeInBytes')
      expect((await api.call('POST', '/files/generate-upload-url', { mimeType: 'image/png', sizeInBytes: '1000' })).status).toBe(200)
      // Other media types keep their own limit.
      expect((await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', sizeInBytes: '5000' })).status).toBe(200)

      const big = Buffer.concat([png(2, 2, 1), Buffer.alloc(1500, 1)])
      expectRule(await api.upload(big, { mimeType: 'image/png', fileName: 'big.png' }), 'FILE_SIZE_OVER_LIMIT', 'file')
      const small = await uploaded(api, png(2, 2, 2), { mimeType: 'image/png', fileName: 'small.png' })
      expect(small.operationStatus).toBe('READY')
      expect(api.emulator.files().map((file) => file.displayName)).toEqual(['small.png'])
    })
  })

  describe('quotaBytes', () => {
    const api = useEmulator({ quotaBytes: 1000 })

    it('SITE_QUOTA_EXCEEDED once the site is full, declared or not', async () => {
      const first = Buffer.concat([pdf('one'), Buffer.alloc(600 - pdf('one').length, 0x20)])
      expect(first.length).toBe(600)
      await uploaded(api, first, { mimeType: 'application/pdf', fileName: 'one.pdf', sizeInBytes: '600' })

      expectRule(await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', sizeInBytes: '401' }), 'SITE_QUOTA_EXCEEDED', 'sizeInBytes')
      expect((await api.call('POST', '/files/generate-upload-url', { mimeType: 'application/pdf', sizeInBytes: '400' })).status).toBe(200)

      const second = Buffer.concat([pdf('two'), Buffer.alloc(500, 0x20)])
      expectRule(await api.upload(second, { mimeType: 'application/pdf', fileName: 'two.pdf' }), 'SITE_QUOTA_EXCEEDED', 'file')
      expect(api.emulator.files().map((file) => file.displayName)).toEqual(['one.pdf'])
    })
  })

  describe('quotaBytes and imports', () => {
    const api = useEmulator({ quotaBytes: 1000 })

    it('an import whose bytes do not fit ends FAILED; one into a full site is refused with SITE_QUOTA_EXCEEDED', async () => {
      const padded = (bytes: Buffer, size: number) => Buffer.concat([bytes, Buffer.alloc(size - bytes.length)])
      const first = padded(pdf('one'), 600)
      await uploaded(api, first, { mimeType: 'application/pdf', fileName: 'one.pdf' })
      const assets = await serveAssets({ '/big.png': padded(png(3, 3, 1), 401), '/fits.png': padded(png(3, 3, 2), 400) })
      try {
        const big = await api.call<FileAnswer>('POST', '/files/import', { url: `${assets.url}/big.png` })
        expect(big.status).toBe(200)
        const failed = await waitForStatus(api, big.body.file.id, 'FAILED')
        expect([failed.hash, failed.sizeInBytes]).toEqual(['', '0'])
        expect((await fetchBytes(failed.url)).status).toBe(404)

        const fits = await api.call<FileAnswer>('POST', '/files/import', { url: `${assets.url}/fits.png` })
        const ready = await waitForStatus(api, fits.body.file.id, 'READY')
        expect(ready.sizeInBytes).toBe('400')

        // The site is full now: the same refusal as an upload's, at once.
        expectRule(await api.call('POST', '/files/import', { url: `${assets.url}/fits.png` }), 'SITE_QUOTA_EXCEEDED', 'url')
        expectRule(await api.upload(pdf('three'), { mimeType: 'application/pdf', fileName: 'three.pdf' }), 'SITE_QUOTA_EXCEEDED', 'file')
        expect(api.emulator.files().map((file) => [file.displayName, file.operationStatus]).sort()).toEqual([
          ['big.png', 'FAILED'], ['fits.png', 'READY'], ['one.pdf', 'READY'],
        ])
      } finally {
        await assets.close()
      }
    })
  })
})

describe('oversized JSON', () => {
  const api = useEmulator({ maxJsonBodyBytes: 256 })

  it('answers 413 in Wix shape and keeps serving', async () => {
    const body = { mimeType: 'image/png', labels: Array.from({ length: 20 }, (_, i) => `label-number-${i}`) }
    expect(JSON.stringify(body).length).toBeGreaterThan(256)
    const answer = await api.call<WireError>('POST', '/files/generate-upload-url', body)
    expectAppError(answer, 413, 'PAYLOAD_TOO_LARGE')
    expect(answer.body.details.applicationError?.data).toEqual({ limit: 256 })
    expect(answer.headers.get('x-wix-request-id')).toMatch(REQUEST_ID)

    const small = await api.call<UploadUrlAnswer>('POST', '/files/generate-upload-url', { mimeType: 'image/png' })
    expect(small.status).toBe(200)
    expect(small.body.uploadUrl.startsWith(`${api.emulator.url}/upload/`)).toBe(true)
  })
})
