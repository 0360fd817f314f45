// The target named by the config, as the Target interface.
import type { TargetConfig } from '../config/schema.js'
import type { Store } from '../store/types.js'
import { PreviewTarget } from './preview/target.js'
import type { FetchFn } from './scim/http.js'
import { type ScimLogEvent, ScimTarget } from './scim/target.js'
import type { Target } from './types.js'

export interface OpenTargetOptions {
  /** structured events of SCIM targets (requests, retries): no token, no attribute value */
  log?: (event: ScimLogEvent) => void
  /** replaces fetch for SCIM targets (tests) */
  fetch?: FetchFn
}

/** @throws IdsyncError ERR_CONFIG when a SCIM target's tls.caFile cannot be read */
export function openTarget(cfg: TargetConfig, store: Store, opts: OpenTargetOptions = {}): Target {
  if (cfg.type === 'preview') return new PreviewTarget(cfg.name, store.preview)
  return new ScimTarget({
    name: cfg.name,
    url: cfg.url,
    token: cfg.token,
    rate: cfg.rate,
    timeoutMs: cfg.timeoutSeconds * 1000,
    tls: cfg.tls,
    memberChunkSize: cfg.memberChunk,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })
}
