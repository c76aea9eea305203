// Private to the builder: `ADD <git ref> <dest>` as BuildKit does it — which sources are git
// repositories, and a checkout of one ref made with the git CLI in a private directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "build/layer/layer_entry.hpp"
#include "common/error.hpp"

namespace sigil::build::detail {

/// A git source as written in an ADD: "REMOTE[#REF[:SUBDIR]]" (BuildKit's gitutil.ParseGitRef).
struct GitSourceRef {
  std::string remote;  ///< what git fetches from: the source without its fragment
  std::string ref;     ///< branch, tag, full ref name or 40-hex commit; "" = the remote's HEAD branch
  std::string subdir;  ///< clean relative directory inside the repository; "" = the whole tree
};

/// Recognises a git source the way BuildKit's dockerfile frontend does: an URL with scheme
/// git://, ssh://, or http(s):// whose path ends in ".git" (before any "#fragment"), or an
/// scp-like "user@host:path". Anything else (plain HTTP URLs, local paths, "github.com/x/y")
/// is not git: nullopt.
[[nodiscard]] std::optional<GitSourceRef> parse_git_source(std::string_view source);

/// A checked-out ref, collected as the entries of a directory source.
struct GitCheckout {
  CollectedSource source;  ///< is_dir; paths relative to the checkout (or SUBDIR) root
  std::string commit;      ///< the commit's 40-hex sha1
  std::string uri;         ///< the source without credentials, for provenance ("URL#REF[:SUBDIR]")
};

/// Options of one checkout.
struct GitFetchOptions {
  bool keep_git_dir = false;      ///< ADD --keep-git-dir: keep a ".git" (only without SUBDIR, as BuildKit)
  std::string checksum;           ///< ADD --checksum: hex prefix of the commit (or annotated tag) sha
  std::vector<std::string> excludes;  ///< ADD --exclude patterns, relative to the checkout root
};

/// Fetches `ref` (shallow when it is a name) into a private directory under `scratch` with
/// the `git` program and a clean environment (no system or user config, no prompts), and
/// collects the tree: modes as git checks them out under umask 022 (0644, 0755 for
/// executables, directories 0755), symlinks kept, owners 0:0, no ".git" unless keep_git_dir.
/// Errors (one line, naming the source): network for an unreachable remote or a failed
/// transfer, input for an unknown ref, a missing SUBDIR or a checksum mismatch, internal when
/// git cannot be run. The files stay under `scratch`, which must outlive the layer written
/// from them.
[[nodiscard]] Result<GitCheckout> fetch_git_source(const std::string& source, const GitSourceRef& ref,
                                                   const GitFetchOptions& options,
                                                   const std::filesystem::path& scratch);

/// True for a 40-character lower-case hex string (a full sha1 commit name).
[[nodiscard]] bool is_commit_sha(std::string_view text);

}  // namespace sigil::build::detail
