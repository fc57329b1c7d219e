//! The database: one connection type for SQLite and PostgreSQL, the pool, migrations, and
//! the write transaction every change goes through.
//!
//! Error policy: models return `QueryResult`; this module's setup returns `DbError`; the
//! layers above map both once (the web layer to HTTP statuses, the CLI to messages).

pub mod models;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool as R2d2Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// One code path for both backends. SQLite comes last so a URL that is not PostgreSQL is
/// tried as SQLite.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = R2d2Pool<ConnectionManager<DbConnection>>;
pub type Conn = PooledConnection<ConnectionManager<DbConnection>>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL {0:?} is not usable: {1}")]
    Url(String, String),
    #[error("cannot connect to the database: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("cannot migrate the database: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot create the database directory {0}: {1}")]
    Directory(PathBuf, std::io::Error),
}

/// Where the database lives, from `MEENT_DATABASE_URL` or `--database-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a
    /// plain path is SQLite.
    pub fn parse(raw: &str) -> Result<DbUrl, DbError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(raw.to_owned()));
        }
        let path = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")).unwrap_or(raw);
        if path.is_empty() {
            return Err(DbError::Url(raw.to_owned(), "no path given".into()));
        }
        if path.contains("://") {
            return Err(DbError::Url(raw.to_owned(), "use postgres://… or a SQLite file path".into()));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn connection_string(&self) -> String {
        match self {
            DbUrl::Sqlite(path) => path.display().to_string(),
            DbUrl::Postgres(url) => url.clone(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, DbUrl::Postgres(_))
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbUrl::Sqlite(_))
    }
}

/// Per-connection settings for SQLite: WAL for concurrent readers, enforced foreign keys, a
/// busy timeout so writers wait for each other instead of failing, and reads through a shared
/// memory map (no system call and copy per page read) with a larger page cache.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            // WAL is a property of the file, set once in `connect`; changing the journal mode
            // here could fail while another process writes.
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA mmap_size = 268435456; PRAGMA cache_size = -8192;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens a pool of `size` connections; for SQLite, creates the file's directory first.
pub fn connect(url: &DbUrl, size: u32) -> Result<Pool, DbError> {
    if let DbUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Directory(dir.to_owned(), e))?;
        }
    }
    let manager = ConnectionManager::<DbConnection>::new(url.connection_string());
    let pool = R2d2Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(Duration::from_secs(30))
        .connection_customizer(Box::new(SqlitePragmas))
        .event_handler(Box::new(crate::metrics::PoolEvents))
        .build(manager)?;
    if url.is_sqlite() {
        let mut conn = pool.get()?;
        if let DbConnection::Sqlite(c) = &mut *conn {
            // WAL lets readers go on while one writer writes; it stays set in the file.
            c.batch_execute("PRAGMA journal_mode = WAL")?;
        }
    }
    Ok(pool)
}

/// Applies every migration the database does not have yet; returns how many ran. Several
/// processes starting at once on PostgreSQL take turns (`exclusive`).
pub fn migrate(conn: &mut DbConnection) -> Result<usize, DbError> {
    exclusive(conn, |conn| {
        let ran = match conn {
            DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        };
        ran.map_err(|e| DbError::Migration(e.to_string()))
    })
}

/// The key of the PostgreSQL advisory lock that start-up work takes.
const START_LOCK: i64 = 0x6d65_656e_7401;

/// Runs `f` while no other process runs start-up work on this database: PostgreSQL, a session
/// advisory lock, released whatever `f` returns (nested calls on one connection are counted);
/// SQLite, a transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so another
/// process waits for it (nested transactions inside become savepoints).
pub fn exclusive<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<DbError> + From<diesel::result::Error>,
{
    use diesel::RunQueryDsl;
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    if let DbConnection::Sqlite(lite) = conn {
        AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
        let result = f(conn);
        let DbConnection::Sqlite(lite) = conn else { return result };
        return match result {
            Ok(v) => {
                AnsiTransactionManager::commit_transaction(lite)?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rollback) = AnsiTransactionManager::rollback_transaction(lite) {
                    tracing::warn!(error = %rollback, "cannot roll back the start-up transaction");
                }
                Err(e)
            }
        };
    }
    diesel::sql_query(format!("SELECT pg_advisory_lock({START_LOCK})")).execute(conn).map_err(|e| E::from(DbError::Query(e)))?;
    let result = f(conn);
    if let Err(e) = diesel::sql_query(format!("SELECT pg_advisory_unlock({START_LOCK})")).execute(conn) {
        tracing::warn!(error = %e, "cannot release the start-up lock; it ends with the connection");
    }
    result
}

/// Runs `f` in a write transaction whose changes followers see in commit order.
///
/// PostgreSQL: `f` runs alongside other writers (each item's save is a compare-and-set on its
/// revision, `models::save_versioned`, so two saves of one item cannot both win); the change
/// rows it records are held back and written at the end, under a lock on the change log held
/// only from their insert to the commit. Change ids thus become visible in order (no follower
/// can skip one), and a writer waits for another only for that last step: even a whole-country
/// import keeps editors waiting for the time its change rows take to insert, not its length.
/// SQLite: the database's write lock, taken up front so waiting uses the busy timeout.
pub fn write_tx<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    if let DbConnection::Sqlite(_) = conn {
        return conn.transaction(|c| {
            if let DbConnection::Sqlite(lite) = c {
                lite.batch_execute("DELETE FROM changes WHERE id < 0")?;
            }
            f(c)
        });
    }
    let outermost = models::changes::hold_back();
    conn.transaction(|c| {
        let result = f(c)?;
        if let Some(held) = &outermost {
            let pending = held.take();
            if let DbConnection::Postgresql(pg) = c {
                if !pending.is_empty() {
                    let asked = std::time::Instant::now();
                    pg.batch_execute("LOCK TABLE changes IN EXCLUSIVE MODE")?;
                    crate::metrics::change_lock_wait(asked.elapsed());
                    models::changes::insert_all(c, &pending)?;
                    // Other processes hear of it the moment it commits (`feed::listen`); the
                    // poll is the safety net.
                    if let DbConnection::Postgresql(pg) = c {
                        pg.batch_execute(&format!("NOTIFY {CHANGES_CHANNEL}"))?;
                    }
                }
            }
        }
        Ok(result)
    })
}

/// The PostgreSQL channel a committed write notifies.
pub const CHANGES_CHANNEL: &str = "meent_changes";

/// A table whose rows are checked and then written under its own lock (see `table_tx`).
#[derive(Debug, Clone, Copy)]
pub enum LockedTable {
    /// Login attempts: counted, then recorded, before a password is checked.
    LoginFailures,
    /// Which items show which media file: checked before a file is deleted.
    MediaUses,
}

impl LockedTable {
    fn name(self) -> &'static str {
        match self {
            LockedTable::LoginFailures => "login_failures",
            LockedTable::MediaUses => "media_uses",
        }
    }
}

/// Inside a `write_tx`: keeps `table` as it is until the commit (PostgreSQL: a share lock,
/// which waits for the writers of that table in flight and holds off new ones; at most two
/// seconds, then the write fails as busy instead of queueing editors behind it; SQLite: the
/// write lock `write_tx` holds already). For a check of other rows that a write depends on.
pub fn hold_still(conn: &mut DbConnection, table: LockedTable) -> diesel::QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        pg.batch_execute(&format!("SET LOCAL lock_timeout = '2s'; LOCK TABLE {} IN SHARE MODE", table.name()))?;
    }
    Ok(())
}

/// Runs `f` in a transaction that first locks one table against other writers (PostgreSQL:
/// that table only, so editors' writes go on; SQLite: the database's write lock), so a count
/// followed by an insert cannot interleave with another request doing the same.
pub fn table_tx<T, E>(conn: &mut DbConnection, table: LockedTable, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    let name = table.name();
    conn.transaction(|c| {
        match c {
            DbConnection::Postgresql(pg) => pg.batch_execute(&format!("LOCK TABLE {name} IN EXCLUSIVE MODE"))?,
            DbConnection::Sqlite(lite) => lite.batch_execute(&format!("DELETE FROM {name} WHERE id < 0"))?,
        }
        f(c)
    })
}

/// The SQLite file a URL names, if it is one.
pub fn sqlite_path(url: &DbUrl) -> Option<&Path> {
    match url {
        DbUrl::Sqlite(p) => Some(p),
        DbUrl::Postgres(_) => None,
    }
}
