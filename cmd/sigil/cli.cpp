#include "cmd/sigil/cli.hpp"

#include <unistd.h>

#include <cstdio>

namespace sigil::cli {

void add_global_options(cxxopts::Options& options) {
  options.add_options("Global")
      ("insecure-registry", "Allow plain HTTP to HOST[:PORT] (repeatable; loopback hosts always are)",
       cxxopts::value<std::vector<std::string>>(), "HOST")
      ("ca-file", "Extra PEM CA bundle trusted for registry TLS", cxxopts::value<std::string>(), "FILE")
      ("v,verbose", "Report each step on stderr, even when it is not a terminal")
      ("h,help", "Show this help");
}

Error usage_error(std::string_view command, std::string_view message) {
  return Error{ErrorCategory::usage, std::string(command) + ": " + std::string(message) + " (see 'sigil " +
                                         std::string(command) + " --help')"};
}

Result<std::optional<cxxopts::ParseResult>> parse_args(cxxopts::Options& options, Args args,
                                                       std::string_view command) {
  try {
    auto parsed = options.parse(static_cast<int>(args.size()), args.data());
    if (parsed.count("help") > 0) {
      // Every group, in the order the command added them (its own, then e.g. Keyless, then Global).
      auto written = write_stdout(options.help(options.groups()));
      if (!written) return std::unexpected(written.error());
      return std::optional<cxxopts::ParseResult>();
    }
    return std::optional<cxxopts::ParseResult>(std::move(parsed));
  } catch (const cxxopts::exceptions::exception& e) {
    return std::unexpected(usage_error(command, e.what()));
  }
}

GlobalOptions global_options(const cxxopts::ParseResult& parsed) {
  GlobalOptions g;
  if (parsed.count("insecure-registry") > 0) g.insecure_registries = parsed["insecure-registry"].as<std::vector<std::string>>();
  if (parsed.count("ca-file") > 0) g.ca_file = parsed["ca-file"].as<std::string>();
  g.verbose = parsed.count("verbose") > 0;
  return g;
}

Result<std::vector<std::string>> positionals(const cxxopts::ParseResult& parsed, std::string_view command,
                                             const std::vector<std::string_view>& names) {
  std::vector<std::string> values;
  if (parsed.count("args") > 0) values = parsed["args"].as<std::vector<std::string>>();
  if (values.size() != names.size()) {
    std::string expected;
    for (auto n : names) expected += (expected.empty() ? "" : " ") + std::string(n);
    return std::unexpected(usage_error(command, "expected " + std::to_string(names.size()) + " argument" +
                                                    (names.size() == 1 ? "" : "s") + " (" + expected + "), got " +
                                                    std::to_string(values.size())));
  }
  return values;
}

Result<Opened> open_reference(std::string_view text, const GlobalOptions& globals, bool create) {
  auto ref = oci::Reference::parse(text);
  if (!ref) return std::unexpected(ref.error());
  oci::StoreOptions options;
  options.create_layout = create;
  options.registry.insecure_registries = globals.insecure_registries;
  options.registry.ca_file = globals.ca_file;
  auto store = oci::open_store(*ref, options);
  if (!store) return std::unexpected(store.error());
  return Opened{std::move(*ref), std::move(*store)};
}

Result<std::pair<Opened, oci::Descriptor>> open_and_resolve(std::string_view text, const GlobalOptions& globals) {
  auto opened = open_reference(text, globals, false);
  if (!opened) return std::unexpected(opened.error());
  auto desc = opened->store->resolve(opened->reference.identifier());
  if (!desc) return std::unexpected(desc.error());
  return std::pair<Opened, oci::Descriptor>(std::move(*opened), std::move(*desc));
}

Result<void> write_stdout(std::string_view bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
    return fail(ErrorCategory::internal, "write to stdout failed");
  }
  if (std::fflush(stdout) != 0) return fail(ErrorCategory::internal, "write to stdout failed");
  return {};
}

void print_error(const Error& error) {
  // One line whatever the message holds: scripts read the last line of stderr.
  std::string line = "sigil: error: ";
  for (char c : error.message) {
    line += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

std::string short_digest(const oci::Digest& digest) {
  return std::string(oci::algorithm_name(digest.algorithm())) + ":" + digest.hex().substr(0, 12);
}

std::string human_bytes(std::int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024.0 && unit < 3) {
    value /= 1024.0;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %s", value, units[unit]);
  return buffer;
}

}  // namespace sigil::cli
