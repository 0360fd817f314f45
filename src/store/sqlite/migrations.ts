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
]
