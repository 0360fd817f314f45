// mailNickname: length, character (leading dot, anything outside the dot-atom set,
// non-ASCII) and uniqueness among mailNickname values.
import { describe, expect, it } from 'vitest'
import { contact, dnOf, edit, group, none, on, scan, verdictOn } from './helpers.js'

const NICK = 'mailNickname'
const nick = (value: string) => {
  const r = scan([contact('Ext', { mailNickname: value })])
  return on(r, NICK).length === 0 ? null : verdictOn(r, NICK)
}

describe('mailNickname: values', () => {
  it.each(['john.doe', "o'brien", 'a+b=c', 'x_y-z{1}', 'john.', 'jo..hn'])('accepts %s', (v) => {
    expect(nick(v)).toBeNull()
  })

  it('deletes leading dots', () => {
    expect(nick('.jdoe')).toEqual(edit(['character'], 'jdoe'))
    expect(nick('..jdoe')).toEqual(edit(['character'], 'jdoe'))
  })

  it.each([' ', '@', '(', ')', ',', ':', ';', '<', '>', '[', ']', '"', '\\'])('deletes %j', (ch) => {
    expect(nick(`jo${ch}hn`)).toEqual(edit(['character'], 'john'))
  })

  it('transliterates diacritics and deletes other scripts', () => {
    expect(nick('jörg.łukasz')).toEqual(edit(['character'], 'jorg.lukasz'))
    expect(nick('иван.petrov')).toEqual(edit(['character'], 'petrov'))
    expect(nick('иван')).toEqual(none(['character']))
  })

  it('truncates a value over 64 characters', () => {
    expect(nick('a'.repeat(64))).toBeNull()
    expect(nick('a'.repeat(70))).toEqual(edit(['length'], 'a'.repeat(64)))
  })
})

describe('mailNickname: uniqueness', () => {
  it('flags every holder, case-insensitively, listing the others in input order', () => {
    const r = scan([
      group('G', { mailNickname: 'Sales' }),
      contact('A', { mailNickname: 'sales' }),
      contact('B', { mailNickname: 'SALES' }),
    ])
    expect(verdictOn(r, NICK, dnOf('G'))).toEqual(none(['duplicate'], 'error', [dnOf('A'), dnOf('B')]))
    expect(verdictOn(r, NICK, dnOf('A'))).toEqual(none(['duplicate'], 'error', [dnOf('G'), dnOf('B')]))
    expect(verdictOn(r, NICK, dnOf('B'))).toEqual(none(['duplicate'], 'error', [dnOf('G'), dnOf('A')]))
  })

  it('drops the suggestion of a duplicate that also has a character problem', () => {
    const r = scan([contact('A', { mailNickname: 'jo hn' }), contact('B', { mailNickname: 'jo hn' })])
    expect(verdictOn(r, NICK, dnOf('A'))).toEqual(none(['character', 'duplicate'], 'error', [dnOf('B')]))
  })
})
