// The test SCIM server's public API: startScimServer() and the store, fault injector and request log
// it exposes. Test suites import from here; see README.md beside this file.
export { type FaultAction, type FaultConfig, FaultInjector, type FaultMatch } from './faults.js'
export {
  type PatchOpSummary,
  RequestLog,
  type RequestRecord,
  type RetryAfterViolation,
} from './request-log.js'
export {
  SCIM_ERROR_SCHEMA,
  type ScimServer,
  type ScimServerOptions,
  scimErrorBody,
  startScimServer,
} from './server.js'
export {
  ENTERPRISE_USER,
  type Member,
  type ScimJson,
  ScimStore,
  type StoredGroup,
  type StoredUser,
  type StoreOptions,
} from './store.js'
