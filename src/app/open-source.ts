// The source named by the config, as the Source interface.
import type { SourceConfig } from '../config/schema.js'
import { LdapSource } from '../connectors/ldap/source.js'
import type { ByteRange } from '../connectors/ldif/reader.js'
import { LdifSource } from '../connectors/ldif/source.js'
import type { Source } from '../connectors/types.js'

/** @param range for an LDIF source, read only this part of the file */
export function openSource(cfg: SourceConfig, range?: ByteRange): Source {
  return cfg.type === 'ldif' ? new LdifSource(cfg.path, cfg.scope, range) : new LdapSource(cfg)
}
