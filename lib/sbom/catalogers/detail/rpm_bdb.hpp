// A reader for the BerkeleyDB hash database rpm used before 4.16 (/var/lib/rpm/Packages of
// RHEL/CentOS ≤ 8, Amazon Linux 2, Mariner 1/2...). It walks the pages in the file itself, as
// go-rpmdb does, without libdb: the hash metadata page (magic 0x061561, page size, last page),
// hash pages (P_HASH 13, P_HASH_UNSORTED 2) whose odd index entries are values, and the
// off-page values (H_OFFPAGE) that chain through overflow pages (P_OVERFLOW 7) — where rpm
// keeps its header blobs. Both byte orders are read. Page numbers, offsets and lengths come
// from the file and are all checked: a hostile file yields problems, never a read outside it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace sigil::sbom::detail {

/// Calls `value` with each stored value of the hash database `db` (rpm header blobs) in page
/// order, with where it sits ("page 3 entry 1"), and `problem` for each record or page skipped (bad offsets, broken overflow chains, a
/// truncated file). Input error when `db` is not a readable BerkeleyDB hash database
/// (wrong magic, encrypted, bad page size).
[[nodiscard]] Result<void> read_bdb_hash_values(std::string_view db, const std::function<void(std::string_view, const std::string&)>& value,
                                                const std::function<void(const std::string&)>& problem);

}  // namespace sigil::sbom::detail
