// One error base class with a stable `code`, so callers (CLI, API) can decide the exit
// status and the message without parsing text. Messages never carry attribute values
// or secrets; the `cause` may, and is shown only with --debug.

export type IdsyncErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_LDIF'
  | 'ERR_INPUT'
  | 'ERR_LDAP_CONNECT'
  | 'ERR_LDAP_AUTH'
  | 'ERR_LDAP_TLS'
  | 'ERR_LDAP_READ'
  | 'ERR_LDAP_WRITE'
  | 'ERR_STORE'
  | 'ERR_USAGE'
  | 'ERR_TARGET'
  | 'ERR_GUARD'

export class IdsyncError extends Error {
  readonly code: IdsyncErrorCode
  constructor(code: IdsyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'IdsyncError'
    this.code = code
  }
}

export const isIdsyncError = (e: unknown): e is IdsyncError => e instanceof IdsyncError
