/** Wix media URIs (`wix:image://v1/<id>/<name>#originWidth=…`), used by Wix site code and the headless SDK. */
import type { MediaType } from './media-types.ts'

export function mediaUri(entry: { id: string; mediaType: MediaType; width?: number; height?: number }, fileName: string): string {
  const name = encodeURIComponent(fileName)
  switch (entry.mediaType) {
    case 'IMAGE': {
      const size = entry.width && entry.height ? `#originWidth=${entry.width}&originHeight=${entry.height}` : ''
      return `wix:image://v1/${entry.id}/${name}${size}`
    }
    case 'VECTOR': return `wix:vector://v1/${entry.id}/${name}`
    case 'VIDEO': return `wix:video://v1/${entry.id}/${name}`
    case 'AUDIO': return `wix:audio://v1/${entry.id}/${name}`
    default: return `wix:document://v1/${entry.id}/${name}`
  }
}
