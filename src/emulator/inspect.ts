/**
 * What the bytes of an upload are: a format sniffed from magic numbers (for `MISMATCH_MIME_TYPE`)
 * and, for images, width and height read from the file (image-size handles PNG, JPEG, GIF, WebP,
 * SVG, AVIF, BMP, TIFF, ICO and more, including the odd JPEG layouts we would get wrong by hand).
 */
import { imageSize } from 'image-size'
import type { MediaType } from '../core/media-types.ts'

function startsWith(head: Buffer, bytes: readonly number[], offset = 0): boolean {
  return bytes.every((byte, i) => head[offset + i] === byte)
}

function ascii(head: Buffer, text: string, offset = 0): boolean {
  return head.subarray(offset, offset + text.length).toString('latin1') === text
}

/**
 * The media type the bytes unmistakably belong to, or `undefined` when they do not say
 * (containers shared by several types, like ZIP for office documents, are not guessed).
 */
export function sniffMediaType(head: Buffer): MediaType | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'IMAGE'
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'IMAGE'
  if (ascii(head, 'GIF8')) return 'IMAGE'
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return 'IMAGE'
  if (ascii(head, 'RIFF') && ascii(head, 'WAVE', 8)) return 'AUDIO'
  if (ascii(head, 'RIFF') && ascii(head, 'AVI ', 8)) return 'VIDEO'
  if (ascii(head, '%PDF-')) return 'DOCUMENT'
  if (ascii(head, 'ID3') || startsWith(head, [0xff, 0xfb]) || ascii(head, 'fLaC')) return 'AUDIO'
  if (ascii(head, 'ftyp', 4)) {
    const brand = head.subarray(8, 12).toString('latin1')
    if (brand.startsWith('avi') || brand.startsWith('hei') || brand === 'mif1') return 'IMAGE'
    if (brand.startsWith('M4A')) return 'AUDIO'
    return 'VIDEO'
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'VIDEO'
  if (ascii(head, 'glTF')) return 'MODEL3D'
  const text = head.subarray(0, 512).toString('utf8').trimStart()
  if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) return 'VECTOR'
  return undefined
}

interface Dimensions {
  width: number
  height: number
}

/** Width and height of an image or SVG from its first bytes, or `undefined` when unreadable. */
export function imageDimensions(head: Buffer): Dimensions | undefined {
  try {
    const size = imageSize(head)
    if (size.width && size.height) {
      const rotated = size.orientation !== undefined && size.orientation >= 5
      return rotated ? { width: size.height, height: size.width } : { width: size.width, height: size.height }
    }
  } catch {
    // Not an image it knows, or truncated: no dimensions.
  }
  return undefined
}
