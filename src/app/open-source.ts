// The source named by the config, as the Source interface.
import type { SourceConfig } from '../config/schema.js'
import { LdapSource } from '../connectors/ldap/source.js'
import { LdifSource } from '../connectors/ldif/source.js'
import type { Source } from '../connectors/types.js'

export function openSource(cfg: SourceConfig): Source {
  return cfg.type === 'ldif' ? new LdifSource(cfg.path, cfg.scope) : new LdapSource(cfg)
}
