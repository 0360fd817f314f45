// Schema versions of the SQLite store, applied in order inside one transaction each.
// Never edit a released migration: add the next one.
export const MIGRATIONS: readonly string[] = [
  // 1: the fix journal
  `CREATE TABLE batches (
     id TEXT PRIMARY KEY,
     time TEXT NOT NULL,
     operator TEXT NOT NULL,
     kind TEXT NOT NULL,
     undoes TEXT,
     source TEXT NOT NULL,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     status TEXT NOT NULL,
     finished TEXT
   );
   CREATE TABLE changes (
     batch_id TEXT NOT NULL REFERENCES batches(id),
     seq INTEGER NOT NULL,
     dn TEXT NOT NULL,
     anchor TEXT,
     attribute TEXT NOT NULL,
     action TEXT NOT NULL,
     old_value TEXT,
     new_value TEXT,
     before TEXT,
     after TEXT,
     status TEXT NOT NULL,
     reason TEXT,
     time TEXT NOT NULL,
     PRIMARY KEY (batch_id, seq)
   );`,
  // 2: synchronization — snapshot, target state, runs, intent log, export errors, approvals, preview
  `CREATE TABLE source_state (
     source TEXT PRIMARY KEY,
     cursor TEXT,
     scope_hash TEXT NOT NULL,
     read_at TEXT NOT NULL,
     objects INTEGER NOT NULL
   );
   CREATE TABLE snapshot (
     source TEXT NOT NULL,
     anchor TEXT NOT NULL,
     guid TEXT,
     dn TEXT NOT NULL,
     kind TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (source, anchor)
   );
   CREATE INDEX snapshot_guid ON snapshot (source, guid);
   CREATE TABLE target_state (
     target TEXT NOT NULL,
     anchor TEXT NOT NULL,
     kind TEXT NOT NULL,
     target_id TEXT NOT NULL,
     attrs TEXT NOT NULL,
     members TEXT NOT NULL,
     state TEXT NOT NULL,
     disabled_at TEXT,
     last_op TEXT,
     last_result TEXT,
     last_time TEXT,
     PRIMARY KEY (target, anchor)
   );
   CREATE INDEX target_state_id ON target_state (target, target_id);
   CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     target TEXT NOT NULL,
     kind TEXT NOT NULL,
     started TEXT NOT NULL,
     finished TEXT,
     status TEXT NOT NULL,
     counts TEXT NOT NULL,
     errors INTEGER NOT NULL DEFAULT 0,
     message TEXT,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL
   );
   CREATE INDEX runs_target ON runs (target, started);
   CREATE TABLE op_log (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     target TEXT NOT NULL,
     anchor TEXT NOT NULL,
     op TEXT NOT NULL,
     detail TEXT NOT NULL,
     status TEXT NOT NULL,
     time TEXT NOT NULL,
     PRIMARY KEY (run_id, seq)
   );
   CREATE INDEX op_log_pending ON op_log (target, status);
   CREATE TABLE export_errors (
     target TEXT NOT NULL,
     anchor TEXT NOT NULL,
     op TEXT NOT NULL,
     type TEXT NOT NULL,
     status INTEGER,
     message TEXT NOT NULL,
     time TEXT NOT NULL,
     count INTEGER NOT NULL DEFAULT 1,
     PRIMARY KEY (target, anchor)
   );
   CREATE TABLE approvals (
     plan_hash TEXT PRIMARY KEY,
     target TEXT NOT NULL,
     approved_by TEXT NOT NULL,
     time TEXT NOT NULL
   );
   CREATE TABLE preview_objects (
     target TEXT NOT NULL,
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     external_id TEXT,
     name TEXT,
     email TEXT,
     data TEXT NOT NULL,
     PRIMARY KEY (target, kind, id)
   );
   CREATE INDEX preview_external ON preview_objects (target, kind, external_id);`,
  // 3: the scope the last guarded sync accepted (a plan or dry run does not change it)
  `ALTER TABLE source_state ADD COLUMN accepted_scope TEXT;`,
  // 4: the scope each target last synced with: a sync of one target (--target) must not
  // accept a scope change for the others
  `CREATE TABLE target_scope (
     source TEXT NOT NULL,
     target TEXT NOT NULL,
     scope_hash TEXT NOT NULL,
     PRIMARY KEY (source, target)
   );`,
]
