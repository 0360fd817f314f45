// The source named by the config, as the Source interface.
import type { SourceConfig } from '../config/schema.js'
import { LdapSource } from '../connectors/ldap/source.js'
import type { ByteRange } from '../connectors/ldif/reader.js'
import { LdifSource, type LdifSourceOptions } from '../connectors/ldif/source.js'
import type { Source } from '../connectors/types.js'

/**
 * @param range for an LDIF source, read only this part of the file
 * @param ldif for an LDIF source: how strict to be (a sync refuses a file that looks truncated)
 */
export function openSource(cfg: SourceConfig, range?: ByteRange, ldif?: LdifSourceOptions): Source {
  return cfg.type === 'ldif' ? new LdifSource(cfg.path, cfg.scope, range, ldif) : new LdapSource(cfg)
}
