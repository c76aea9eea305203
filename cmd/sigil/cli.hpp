// What every sigil command shares: global flags, option parsing with cxxopts (usage errors as
// Errors, --help), opening the store a reference names, and output helpers.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <cxxopts.hpp>

#include "common/error.hpp"
#include "oci/descriptor.hpp"
#include "oci/open_store.hpp"
#include "oci/reference.hpp"
#include "oci/store.hpp"

namespace sigil::cli {

/// Arguments of one command: argv[0] is "sigil <command>", then its arguments.
using Args = std::span<char*>;

/// A command: runs with its arguments, returns nothing on success.
struct Command {
  std::string_view name;
  std::string_view summary;
  Result<void> (*run)(Args args);
};

/// The commands of the oci group (copy, inspect, digest, tree).
[[nodiscard]] std::vector<Command> oci_commands();

/// The key commands (generate-key-pair, public-key).
[[nodiscard]] std::vector<Command> key_commands();

/// sign and verify (images), in sign_commands.cpp and verify_commands.cpp.
[[nodiscard]] std::vector<Command> image_sign_commands();

/// attest, verify-attestation (attest_commands.cpp) and verify-provenance.
[[nodiscard]] std::vector<Command> attest_commands();

/// attach and download (referrer artifacts), in artifact_commands.cpp.
[[nodiscard]] std::vector<Command> artifact_commands();

/// sign-blob, in blob_commands.cpp.
[[nodiscard]] std::vector<Command> blob_commands();

/// verify-blob and verify-bundle (keys or keyless), in verify_blob_commands.cpp.
[[nodiscard]] std::vector<Command> verify_blob_commands();

/// build (Dockerfile → image), in build_commands.cpp.
[[nodiscard]] std::vector<Command> build_commands();

/// sbom (images and directories → CycloneDX / SPDX), in sbom_commands.cpp.
[[nodiscard]] std::vector<Command> sbom_commands();

/// trust update (TUF refresh of the Sigstore trusted root), in trust_commands.cpp.
[[nodiscard]] std::vector<Command> trust_commands();

/// Flags accepted by every command.
struct GlobalOptions {
  std::vector<std::string> insecure_registries;
  std::string ca_file;
  bool verbose = false;
};

/// Adds --insecure-registry, --ca-file, --verbose and --help to `options`.
void add_global_options(cxxopts::Options& options);

/// Parses `args`. Returns nullopt after printing the help to stdout for --help; a usage error
/// (with the "see 'sigil CMD --help'" hint) for unknown flags or bad values.
[[nodiscard]] Result<std::optional<cxxopts::ParseResult>> parse_args(cxxopts::Options& options, Args args,
                                                                     std::string_view command);

/// The global flags of a parse result.
[[nodiscard]] GlobalOptions global_options(const cxxopts::ParseResult& parsed);

/// A usage error for `command` carrying the hint to its help.
[[nodiscard]] Error usage_error(std::string_view command, std::string_view message);

/// The positional arguments ("args"), checked to be exactly `names.size()` of them.
[[nodiscard]] Result<std::vector<std::string>> positionals(const cxxopts::ParseResult& parsed, std::string_view command,
                                                           const std::vector<std::string_view>& names);

/// A store opened for a reference, and what the reference resolved to.
struct Opened {
  oci::Reference reference;
  std::unique_ptr<oci::Store> store;
};

/// Parses `text` and opens its store (creating a missing layout only when `create`).
[[nodiscard]] Result<Opened> open_reference(std::string_view text, const GlobalOptions& globals, bool create);

/// Opens `text` and resolves its tag or digest to a descriptor.
[[nodiscard]] Result<std::pair<Opened, oci::Descriptor>> open_and_resolve(std::string_view text,
                                                                         const GlobalOptions& globals);

/// Writes bytes to stdout exactly; internal error when stdout fails (a closed pipe, a full disk).
[[nodiscard]] Result<void> write_stdout(std::string_view bytes);

/// Prints "sigil: error: <message>" as one line on stderr (control characters replaced).
void print_error(const Error& error);

/// True when the stream is a terminal.
[[nodiscard]] bool is_terminal(std::FILE* stream);

/// "sha256:0123456789ab" (the first 12 hex digits), for progress lines.
[[nodiscard]] std::string short_digest(const oci::Digest& digest);

/// "1.5 MiB", "312 B".
[[nodiscard]] std::string human_bytes(std::int64_t bytes);

}  // namespace sigil::cli
