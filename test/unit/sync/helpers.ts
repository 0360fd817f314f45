// Builders for the pure sync tests: snapshot records and target rows.
import type { SnapshotRecord, TargetRow } from '../../../src/core/sync-model.js'

export function user(
  anchor: string,
  attrs: Record<string, string | string[]> = {},
  over: Partial<SnapshotRecord> = {},
): SnapshotRecord {
  return {
    anchor,
    guid: anchor,
    dn: `CN=${anchor},OU=Staff,DC=corp,DC=example,DC=com`,
    kind: 'user',
    attrs: {
      userprincipalname: `${anchor}@corp.example.com`,
      givenname: 'Given',
      sn: 'Sur',
      displayname: `User ${anchor}`,
      ...attrs,
    },
    disabled: false,
    managerRef: null,
    ...over,
  }
}

export function group(
  anchor: string,
  members: string[],
  attrs: Record<string, string | string[]> = {},
  over: Partial<SnapshotRecord> = {},
): SnapshotRecord {
  return {
    anchor,
    guid: anchor,
    dn: `CN=${anchor},OU=Groups,DC=corp,DC=example,DC=com`,
    kind: 'group',
    attrs: { cn: anchor, ...attrs },
    disabled: false,
    memberRefs: members.map((m) => `guid:${m}`),
    ...over,
  }
}

export function snapshot(...records: SnapshotRecord[]): Map<string, SnapshotRecord> {
  return new Map(records.map((r) => [r.anchor, r]))
}

export function row(
  anchor: string,
  kind: TargetRow['kind'],
  attrs: TargetRow['attrs'],
  over: Partial<TargetRow> = {},
): TargetRow {
  return {
    anchor,
    kind,
    targetId: `id-${anchor}`,
    attrs,
    members: [],
    state: 'active',
    disabledAt: null,
    ...over,
  }
}
