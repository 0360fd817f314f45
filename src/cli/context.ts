// What most commands start from: the loaded config (warnings printed), the store, the
// operator's name, and the rule options with command-line overrides.
import { userInfo } from 'node:os'
import { loadConfig } from '../config/load.js'
import { type Config, isGlobalCatalog, type LdapSourceConfig } from '../config/schema.js'
import { IdsyncError } from '../core/errors.js'
import type { RuleOptions } from '../rules/types.js'
import { openSqliteStore } from '../store/sqlite/store.js'
import type { Store } from '../store/types.js'
import { suffixMapOf } from './options.js'

export function configFrom(path: string | undefined): Config {
  if (!path) throw new IdsyncError('ERR_USAGE', 'this command needs --config FILE')
  const loaded = loadConfig(path)
  for (const w of loaded.warnings) process.stderr.write(`idsync: warning: ${w}\n`)
  return loaded.config
}

export function ldapSourceOf(config: Config, what: string): LdapSourceConfig {
  if (config.source.type !== 'ldap') {
    throw new IdsyncError(
      'ERR_USAGE',
      `${what} writes to the directory: it needs an LDAP source (source.type: ldap), not an LDIF file`,
    )
  }
  if (isGlobalCatalog(config.source.url))
    throw new IdsyncError(
      'ERR_USAGE',
      `${what} writes to the directory: ${config.source.url} is the Global Catalog, which is read-only; use a domain controller's port (ldaps:// 636, or 389 with startTLS)`,
    )
  return config.source
}

export const openStore = (config: Config): Store => openSqliteStore(config.store.path)

export function operatorName(given: string | undefined): string {
  if (given) return given
  const sudo = process.env.SUDO_USER
  try {
    const me = userInfo().username
    return sudo && sudo !== me ? `${sudo} (as ${me})` : me
  } catch {
    return process.env.USER ?? 'unknown'
  }
}

export function rulesOf(
  config: Config,
  over: { rules?: RuleOptions['set']; suffixMap?: string[]; defaultSuffix?: string } = {},
): RuleOptions {
  return {
    set: over.rules ?? config.rules.set,
    suffixMap: suffixMapOf(over.suffixMap ?? [], config.rules.suffixMap),
    defaultSuffix: over.defaultSuffix ?? config.rules.defaultSuffix,
  }
}
