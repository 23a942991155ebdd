/**
 * Upload tokens: JWTs (HS256) like the ones in Wix's upload URLs. Each names one pre-assigned file id,
 * expires, and is signed with the emulator's secret, so a tampered token is refused. Single use is
 * enforced by the store, which remembers spent token ids.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { applicationError } from './wix-errors.ts'

export type TokenKind = 'upload' | 'resumable'

export interface UploadTokenClaims {
  /** Token id: the key of the pending upload it authorizes. */
  jti: string
  /** The file id assigned when the URL was generated. */
  fid: string
  kind: TokenKind
  site: string
  iat: number
  exp: number
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')

function sign(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url')
}

export function signUploadToken(secret: string, claims: UploadTokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const data = `${HEADER}.${payload}`
  return `${data}.${sign(secret, data)}`
}

/** Checks signature and expiry; throws a Wix-shaped 401/403 otherwise. */
export function verifyUploadToken(secret: string, token: string, kind: TokenKind, now = Date.now()): UploadTokenClaims {
  const parts = token.split('.')
  const invalid = () => applicationError(401, 'INVALID_UPLOAD_TOKEN', 'The upload token is not valid; generate a new upload URL')
  if (parts.length !== 3) throw invalid()
  const [header, payload, signature] = parts as [string, string, string]
  const expected = Buffer.from(sign(secret, `${header}.${payload}`))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid()
  let claims: UploadTokenClaims
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as UploadTokenClaims
  } catch {
    throw invalid()
  }
  if (claims.kind !== kind) throw invalid()
  if (claims.exp <= now) {
    throw applicationError(401, 'UPLOAD_TOKEN_EXPIRED', 'The upload URL has expired; generate a new upload URL')
  }
  return claims
}

/** Strips upload tokens from a path or URL so it can be logged. */
export function redactTokens(text: string): string {
  return text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<token>')
}
