#include "sbom/catalogers/detail/rpm_sqlite.hpp"

#include <sqlite3.h>

#include <memory>

#include "sbom/catalogers/detail/rpm_header.hpp"

namespace sigil::sbom::detail {
namespace {

constexpr std::string_view kMagic{"SQLite format 3\0", 16};
// Virtual-machine instructions a query may run, counted in steps of kProgressStep: far more
// than reading every row of a real rpmdb (a few thousand packages) needs.
constexpr int kProgressStep = 10000;
constexpr long kMaxProgressSteps = 100000;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalizer {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};
using Db = std::unique_ptr<sqlite3, Closer>;
using Statement = std::unique_ptr<sqlite3_stmt, Finalizer>;

Result<Statement> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return fail(ErrorCategory::input, std::string("rpmdb.sqlite: ") + sqlite3_errmsg(db));
  }
  return Statement(st);
}

}  // namespace

bool is_sqlite(std::string_view bytes) { return bytes.starts_with(kMagic); }

Result<void> read_sqlite_rpmdb(std::string& bytes,
                               const std::function<void(std::string_view, const std::string&)>& value) {
  if (bytes.size() < 100 || !is_sqlite(bytes)) return fail(ErrorCategory::input, "not an SQLite database");
  // Bytes 18 and 19 (file format write/read version) are 2 in WAL mode; the in-memory VFS has
  // no shared memory for a WAL index, so read the file as a rollback-journal database.
  if (bytes[18] == 2) bytes[18] = 1;
  if (bytes[19] == 2) bytes[19] = 1;

  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    Db close(raw);
    return fail(ErrorCategory::internal, "rpmdb.sqlite: cannot open an in-memory database");
  }
  Db db(raw);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, static_cast<int>(kMaxRpmHeaderBytes));
  long steps = 0;
  sqlite3_progress_handler(
      db.get(), kProgressStep,
      [](void* counter) -> int { return ++*static_cast<long*>(counter) > kMaxProgressSteps ? 1 : 0; }, &steps);
  // READONLY without FREEONCLOSE: sqlite reads `bytes` in place and never frees or grows it.
  auto* data = reinterpret_cast<unsigned char*>(bytes.data());
  auto size = static_cast<sqlite3_int64>(bytes.size());
  if (sqlite3_deserialize(db.get(), "main", data, size, size, SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
    return fail(ErrorCategory::input, std::string("rpmdb.sqlite: ") + sqlite3_errmsg(db.get()));
  }

  auto check = prepare(db.get(), "SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE");
  if (!check) return std::unexpected(check.error());
  int rc = sqlite3_step(check->get());
  if (rc != SQLITE_ROW) {
    return fail(ErrorCategory::input, rc == SQLITE_DONE ? std::string("rpmdb.sqlite: no Packages table")
                                                        : std::string("rpmdb.sqlite: ") + sqlite3_errmsg(db.get()));
  }
  auto* type = sqlite3_column_text(check->get(), 0);
  if (type == nullptr || std::string_view(reinterpret_cast<const char*>(type)) != "table") {
    return fail(ErrorCategory::input, "rpmdb.sqlite: Packages is not a table");
  }

  auto rows = prepare(db.get(), "SELECT hnum, blob FROM Packages");
  if (!rows) return std::unexpected(rows.error());
  while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
    std::string where = "hnum " + std::to_string(sqlite3_column_int64(rows->get(), 0));
    const void* blob = sqlite3_column_blob(rows->get(), 1);
    int length = sqlite3_column_bytes(rows->get(), 1);
    std::string_view view = blob == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(blob), static_cast<std::size_t>(length));
    value(view, where);
  }
  if (rc != SQLITE_DONE) {
    return fail(ErrorCategory::input, std::string("rpmdb.sqlite: reading Packages: ") +
                                          (steps > kMaxProgressSteps ? "too much work, stopped" : sqlite3_errmsg(db.get())));
  }
  return {};
}

}  // namespace sigil::sbom::detail
