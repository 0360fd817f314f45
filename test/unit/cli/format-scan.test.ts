import { describe, expect, it } from 'vitest'
import { scanTable } from '../../../src/cli/format/scan.js'
import { scan, user } from '../rules/helpers.js'

describe('scan table', () => {
  it('lists a finding with several codes in the section of each, as the counts at the top count it', () => {
    const result = scan([
      user('Both', { sAMAccountName: 'both', userPrincipalName: 'jo(e)@corp.local' }),
      user('Local', { sAMAccountName: 'local', userPrincipalName: 'local@corp.local' }),
    ])
    const both = result.findings.find((f) => f.dn.startsWith('CN=Both'))
    expect(both?.codes.length).toBeGreaterThan(1)
    const table = scanTable(result, 'header')
    for (const code of both?.codes ?? []) {
      const count = result.summary.byCode[code] as number
      expect(table).toMatch(new RegExp(`^${code} +${count}$`, 'm'))
      // the section header says as many as the count, and the section holds them all
      const section = table.split(`── ${code} (`)[1]?.split('\n──')[0] ?? ''
      expect(section.startsWith(`${count})`)).toBe(true)
      expect(section).toContain('Both')
    }
    expect(table).toContain('(1 finding has several codes: counted and listed under each of them)')
  })
})
