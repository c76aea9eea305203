// rpmdb.sqlite (rpm ≥ 4.16: RHEL 9+, Fedora 33+, Amazon Linux 2023): the header blobs live in
// table Packages(hnum INTEGER PRIMARY KEY, blob BLOB). The database is read from memory with
// sqlite3_deserialize (read-only, no file, no copy), so an image's database never touches disk.
// The file comes from the input, so the connection is hardened: defensive mode, untrusted
// schema, a byte limit per value, a bound on the work a query may do, and Packages must be a
// real table (a view could hide arbitrary queries).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::sbom::detail {

/// True when `bytes` starts with the SQLite file header.
[[nodiscard]] bool is_sqlite(std::string_view bytes);

/// Calls `value` with each blob of table Packages, with where it sits ("hnum 12"). `db` is the
/// whole database file; a WAL-mode header is switched to rollback mode in place (a WAL file
/// cannot be read from memory; rpm checkpoints it when it closes the database). Input error for
/// a file that is not an SQLite database, has no Packages table, or fails while being read (the
/// values already passed to `value` stay valid).
[[nodiscard]] Result<void> read_sqlite_rpmdb(std::string& db,
                                             const std::function<void(std::string_view, const std::string&)>& value);

}  // namespace sigil::sbom::detail
