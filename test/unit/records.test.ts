/** Media URIs, hash labels, lockfile entries from upload answers, secret redaction and the error format. */
import { describe, expect, it } from 'vitest'
import type { FileDescriptor } from '../../src/client/wire.ts'
import { isWixMediaError, redactSecrets, WixMediaError } from '../../src/core/errors.ts'
import { mediaUri } from '../../src/core/media-uri.ts'
import { entryFromDescriptor, HASH_LABEL_PREFIX, hashFromLabels, hashLabel } from '../../src/core/record.ts'

const ID = '2acbb8_86485e224dd84143ba2f228777217bb7~mv2.jpeg'
const HASH = '0123456789abcdef'.repeat(4)

function descriptor(extra: Partial<FileDescriptor>): FileDescriptor {
  return {
    id: ID, displayName: 'file.jpg', url: `https://static.wixstatic.com/media/${ID}`, parentFolderId: 'media-root',
    hash: 'cf96f0567ed967f02bc9580ab8db86be', sizeInBytes: '15359', private: false, mediaType: 'IMAGE', media: {},
    operationStatus: 'READY', thumbnailUrl: '', labels: [], createdDate: '2022-09-11T15:13:24.000Z',
    updatedDate: '2022-09-11T15:13:24.000Z', siteId: 'site', state: 'OK', ...extra,
  }
}

describe('mediaUri', () => {
  it('gives an image URI with its original size and an encoded file name', () => {
    expect(mediaUri({ id: ID, mediaType: 'IMAGE', width: 370, height: 226 }, 'my photo #1.jpg'))
      .toBe(`wix:image://v1/${ID}/my%20photo%20%231.jpg#originWidth=370&originHeight=226`)
  })

  it('leaves the size out of an image URI when it is unknown or zero', () => {
    expect(mediaUri({ id: ID, mediaType: 'IMAGE' }, 'a.jpg')).toBe(`wix:image://v1/${ID}/a.jpg`)
    expect(mediaUri({ id: ID, mediaType: 'IMAGE', width: 10 }, 'a.jpg')).toBe(`wix:image://v1/${ID}/a.jpg`)
    expect(mediaUri({ id: ID, mediaType: 'IMAGE', width: 0, height: 5 }, 'a.jpg')).toBe(`wix:image://v1/${ID}/a.jpg`)
  })

  it.each([
    ['VIDEO', 'wix:video://v1/2acbb8_0f/clip%20one.mp4'],
    ['AUDIO', 'wix:audio://v1/2acbb8_0f/clip%20one.mp4'],
    ['DOCUMENT', 'wix:document://v1/2acbb8_0f/clip%20one.mp4'],
    ['VECTOR', 'wix:vector://v1/2acbb8_0f/clip%20one.mp4'],
    ['ARCHIVE', 'wix:document://v1/2acbb8_0f/clip%20one.mp4'],
    ['OTHER', 'wix:document://v1/2acbb8_0f/clip%20one.mp4'],
  ] as const)('gives the %s form', (mediaType, uri) => {
    expect(mediaUri({ id: '2acbb8_0f', mediaType, width: 4, height: 3 }, 'clip one.mp4')).toBe(uri)
  })

  it('encodes slashes and non-ASCII in the file name', () => {
    expect(mediaUri({ id: 'x', mediaType: 'DOCUMENT' }, 'a/b é.pdf')).toBe('wix:document://v1/x/a%2Fb%20%C3%A9.pdf')
  })
})

describe('hashLabel / hashFromLabels', () => {
  it('round-trips a sha256 hex hash', () => {
    expect(hashLabel(HASH)).toBe(`unplugin-wix-media:sha256:${HASH}`)
    expect(HASH_LABEL_PREFIX).toBe('unplugin-wix-media:sha256:')
    expect(hashFromLabels([hashLabel(HASH)])).toBe(HASH)
    expect(hashLabel(HASH).length).toBeLessThanOrEqual(200)
  })

  it('finds the label among others', () => {
    expect(hashFromLabels(['Nature', 'auto:tree', hashLabel(HASH), 'x'])).toBe(HASH)
  })

  it.each([
    ['no labels', undefined],
    ['an empty list', []],
    ['only other labels', ['Nature', 'sha256:' + HASH]],
    ['a short hash', [hashLabel(HASH.slice(1))]],
    ['a long hash', [hashLabel(`${HASH}0`)]],
    ['upper case', [hashLabel(HASH.toUpperCase())]],
    ['non-hex', [hashLabel(`${HASH.slice(1)}g`)]],
    ['an empty hash', [HASH_LABEL_PREFIX]],
    ['whitespace', [`${hashLabel(HASH)} `]],
    ['another prefix', [`unplugin-wix-media:md5:${HASH}`]],
  ] as const)('rejects %s', (_, labels) => {
    expect(hashFromLabels(labels)).toBeUndefined()
  })
})

describe('entryFromDescriptor', () => {
  const local = { mimeType: 'image/jpeg', mediaType: 'IMAGE' as const, size: 15_359, fileName: 'file one.jpg', paths: ['src/b.jpg', 'src/a.jpg'] }

  it('takes the size from media.image.image and sorts the paths', () => {
    const entry = entryFromDescriptor(descriptor({
      media: { image: { image: { id: ID, url: 'u', width: 370, height: 226 } } },
    }), local)
    expect(entry).toEqual({
      id: ID,
      url: `https://static.wixstatic.com/media/${ID}`,
      uri: `wix:image://v1/${ID}/file%20one.jpg#originWidth=370&originHeight=226`,
      mediaType: 'IMAGE',
      mimeType: 'image/jpeg',
      size: 15_359,
      width: 370,
      height: 226,
      paths: ['src/a.jpg', 'src/b.jpg'],
    })
    expect(local.paths).toEqual(['src/b.jpg', 'src/a.jpg'])
  })

  it('takes the size from media.vector.image', () => {
    const entry = entryFromDescriptor(descriptor({
      id: 'v_1.svg', url: 'https://static.wixstatic.com/shapes/v_1.svg', mediaType: 'VECTOR',
      media: { vector: { image: { id: 'v_1.svg', url: 'u', width: 24, height: 12 } } },
    }), { ...local, mimeType: 'image/svg+xml', mediaType: 'VECTOR', fileName: 'icon.svg', paths: ['icon.svg'] })
    expect([entry.width, entry.height, entry.mediaType, entry.uri]).toEqual([24, 12, 'VECTOR', 'wix:vector://v1/v_1.svg/icon.svg'])
  })

  it('leaves width and height out when Wix gives none or zero', () => {
    const none = entryFromDescriptor(descriptor({ mediaType: 'DOCUMENT', media: { document: { id: 'd', url: 'u' } } }),
      { ...local, mimeType: 'application/pdf', mediaType: 'DOCUMENT', fileName: 'a.pdf', paths: ['a.pdf'] })
    expect('width' in none).toBe(false)
    expect('height' in none).toBe(false)
    expect(none.uri).toBe(`wix:document://v1/${ID}/a.pdf`)
    const zero = entryFromDescriptor(descriptor({ media: { image: { image: { id: ID, url: 'u', width: 0, height: 0 } } } }), local)
    expect('width' in zero).toBe(false)
    expect(zero.uri).toBe(`wix:image://v1/${ID}/file%20one.jpg`)
  })

  it('falls back to the local media type when Wix says UNKNOWN', () => {
    const entry = entryFromDescriptor(descriptor({ mediaType: 'UNKNOWN' }),
      { ...local, mimeType: 'audio/mpeg', mediaType: 'AUDIO', fileName: 's.mp3', paths: ['s.mp3'] })
    expect(entry.mediaType).toBe('AUDIO')
    expect(entry.uri).toBe(`wix:audio://v1/${ID}/s.mp3`)
  })

  it('takes mime type and size from the local file, not from the answer', () => {
    const entry = entryFromDescriptor(descriptor({ sizeInBytes: '1' }), { ...local, mimeType: 'image/webp', size: 42 })
    expect([entry.mimeType, entry.size]).toEqual(['image/webp', 42])
  })
})

describe('redactSecrets', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-bmF0_dXJl'

  it('removes JWTs, wherever they are', () => {
    expect(redactSecrets(`PUT https://upload.wixmp.com/upload/${jwt}?filename=a.png failed`))
      .toBe('PUT https://upload.wixmp.com/upload/<redacted>?filename=a.png failed')
    expect(redactSecrets(`a ${jwt} b ${jwt}`)).toBe('a <redacted> b <redacted>')
  })

  it('removes authorization values in headers, JSON and assignments', () => {
    expect(redactSecrets('Authorization: IST.abc123 sent')).toBe('Authorization: <redacted> sent')
    expect(redactSecrets('{"authorization":"k3y-v4lue","x":1}')).toBe('{"authorization":"<redacted>","x":1}')
    expect(redactSecrets("headers { authorization: 'k3y' }")).toBe("headers { authorization: '<redacted>' }")
    expect(redactSecrets('AUTHORIZATION=abc')).toBe('AUTHORIZATION=<redacted>')
    expect(redactSecrets('authorization: Bearer tok3n-value')).toBe('authorization: Bearer <redacted>')
  })

  it('removes the given secrets, every occurrence, but not ones shorter than 4 characters', () => {
    expect(redactSecrets('key s3cret-key and s3cret-key again', ['s3cret-key'])).toBe('key <redacted> and <redacted> again')
    expect(redactSecrets('abc stays', ['abc'])).toBe('abc stays')
    expect(redactSecrets('nothing here', [])).toBe('nothing here')
  })

  it('leaves ordinary text alone', () => {
    const text = 'Uploading src/a.png failed: HTTP 500 (request id 1.2.3)'
    expect(redactSecrets(text)).toBe(text)
  })
})

describe('WixMediaError', () => {
  it('formats `file: reason (HTTP status, RULE, request id X). hint`', () => {
    const error = new WixMediaError('WIX_MEDIA_VALIDATION', 'Generating an upload URL failed', {
      file: 'src/a.png', status: 400, rule: 'MISMATCH_MIME_TYPE', requestId: 'req-1', hint: 'Rename it',
    })
    expect(error.message).toBe('src/a.png: Generating an upload URL failed (HTTP 400, MISMATCH_MIME_TYPE, request id req-1). Rename it')
    expect(error.name).toBe('WixMediaError')
    expect(error.code).toBe('WIX_MEDIA_VALIDATION')
    expect(error.reason).toBe('Generating an upload URL failed')
    expect([error.file, error.status, error.rule, error.requestId, error.hint]).toEqual(['src/a.png', 400, 'MISMATCH_MIME_TYPE', 'req-1', 'Rename it'])
    expect(error).toBeInstanceOf(Error)
  })

  it('leaves out the parts it does not have', () => {
    expect(new WixMediaError('WIX_MEDIA_SERVER', 'Reading failed').message).toBe('Reading failed')
    expect(new WixMediaError('WIX_MEDIA_SERVER', 'Reading failed', { status: 503 }).message).toBe('Reading failed (HTTP 503)')
    expect(new WixMediaError('WIX_MEDIA_SERVER', 'Reading failed', { requestId: 'r' }).message).toBe('Reading failed (request id r)')
    expect(new WixMediaError('WIX_MEDIA_SERVER', 'Reading failed', { hint: 'Wait' }).message).toBe('Reading failed. Wait')
    expect(new WixMediaError('WIX_MEDIA_FILE', 'is empty', { file: 'a.png' }).message).toBe('a.png: is empty')
  })

  it('keeps the cause, and has none unless given', () => {
    const cause = new Error('socket hang up')
    expect(new WixMediaError('WIX_MEDIA_NETWORK', 'x', { cause }).cause).toBe(cause)
    expect('cause' in new WixMediaError('WIX_MEDIA_NETWORK', 'x')).toBe(false)
  })

  it('redacts tokens in the message and the reason', () => {
    const error = new WixMediaError('WIX_MEDIA_SERVER', 'PUT https://u/upload/eyJa.eyJb.sig failed', { status: 500 })
    expect(error.message).toBe('PUT https://u/upload/<redacted> failed (HTTP 500)')
    expect(error.reason).toBe('PUT https://u/upload/<redacted> failed')
  })

  it('forFile gives the same error about a file, keeping every detail', () => {
    const cause = new Error('boom')
    const error = new WixMediaError('WIX_MEDIA_RATE_LIMIT', 'Uploading failed', {
      status: 429, requestId: 'r-9', rule: 'RESOURCE_EXHAUSTED', hint: 'Slow down', retryAfter: 3, cause,
    })
    const forA = error.forFile('src/a.png')
    expect(forA).not.toBe(error)
    expect(forA.message).toBe('src/a.png: Uploading failed (HTTP 429, RESOURCE_EXHAUSTED, request id r-9). Slow down')
    expect([forA.code, forA.status, forA.requestId, forA.rule, forA.hint, forA.retryAfter, forA.cause])
      .toEqual(['WIX_MEDIA_RATE_LIMIT', 429, 'r-9', 'RESOURCE_EXHAUSTED', 'Slow down', 3, cause])
    expect(forA.forFile('src/a.png')).toBe(forA)
    const forB = forA.forFile('src/b.png')
    expect(forB.message).toBe('src/b.png: Uploading failed (HTTP 429, RESOURCE_EXHAUSTED, request id r-9). Slow down')
    expect(error.file).toBeUndefined()
  })

  it('isWixMediaError checks the class and, if given, the code', () => {
    const error = new WixMediaError('WIX_MEDIA_AUTH', 'no')
    expect(isWixMediaError(error)).toBe(true)
    expect(isWixMediaError(error, 'WIX_MEDIA_AUTH')).toBe(true)
    expect(isWixMediaError(error, 'WIX_MEDIA_SERVER')).toBe(false)
    expect(isWixMediaError(Object.assign(new Error('no'), { code: 'WIX_MEDIA_AUTH' }))).toBe(false)
  })
})
