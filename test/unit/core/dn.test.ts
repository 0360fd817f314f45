import { describe, expect, it } from 'vitest'
import { domainRoots } from '../../../src/core/dn.js'

describe('the domains a set of bases lives in (where uniqueness is checked)', () => {
  it('climbs from an OU to its domain root, once per domain', () => {
    expect(
      domainRoots([
        'OU=Staff,DC=corp,DC=example,DC=com',
        'ou=Sales\\, EMEA,dc=Corp,dc=Example,dc=com',
        'DC=emea,DC=corp,DC=example,DC=com',
      ]),
    ).toEqual(['DC=corp,DC=example,DC=com', 'DC=emea,DC=corp,DC=example,DC=com'])
  })

  it('keeps a base without DC= components as it is (an OpenLDAP o=… tree)', () => {
    expect(domainRoots(['ou=people,o=example'])).toEqual(['ou=people,o=example'])
  })
})
