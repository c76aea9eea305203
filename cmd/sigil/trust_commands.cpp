// The trust command group: `sigil trust update [--mirror URL]` refreshes the Sigstore trusted
// root and signing config from a TUF repository into sigil's data directory (lib/sign/trust_store).
#include <chrono>
#include <string>
#include <vector>

#include "cmd/sigil/cli.hpp"
#include "common/http.hpp"
#include "sign/trust_store.hpp"

namespace sigil::cli {
namespace {

Result<void> run_trust_update(Args args) {
  cxxopts::Options options("sigil trust update",
                           "Refresh the Sigstore trusted root and signing config from a TUF repository (root "
                           "rotation, timestamp, snapshot, targets, hashes, expiry and rollback checked) into the "
                           "data directory: $SIGIL_DATA_DIR, else ($XDG_DATA_HOME or ~/.local/share)/sigil");
  options.custom_help("[--mirror URL]");
  options.add_options()("mirror", "TUF repository base URL",
                        cxxopts::value<std::string>()->default_value(std::string(sign::kDefaultTufMirror)), "URL")(
      "args", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"args"});
  add_global_options(options);
  auto parsed = parse_args(options, args, "trust update");
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return {};
  const auto& p = **parsed;
  if (auto none = positionals(p, "trust update", {}); !none) return std::unexpected(none.error());
  std::string mirror = p["mirror"].as<std::string>();
  if (!mirror.starts_with("https://") && !mirror.starts_with("http://")) {
    return std::unexpected(usage_error("trust update", "--mirror must be an http(s) URL, not '" + mirror + "'"));
  }
  http::ClientOptions client_options;
  client_options.ca_file = global_options(p).ca_file;
  http::Client client(client_options);
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auto report = sign::update_trust(mirror, sign::http_fetch(client), now);
  if (!report) return std::unexpected(report.error());

  std::string text;
  if (report->new_root_version != report->old_root_version) {
    text += "root: version " + std::to_string(report->old_root_version) + " -> " +
            std::to_string(report->new_root_version) + " (rotated)\n";
  } else {
    text += "root: version " + std::to_string(report->new_root_version) + " (unchanged)\n";
  }
  text += "timestamp: version " + std::to_string(report->timestamp_version) + ", snapshot: version " +
          std::to_string(report->snapshot_version) + ", targets: version " +
          std::to_string(report->targets_version) + "\n";
  for (const auto& name : report->updated_targets) text += "updated " + name + "\n";
  for (const auto& name : report->unchanged_targets) text += "unchanged " + name + "\n";
  text += "data directory: " + report->data_dir.string() + "\n";
  return write_stdout(text);
}

// `sigil trust SUBCOMMAND ...`: only update so far.
Result<void> run_trust(Args args) {
  if (args.size() < 2 || std::string_view(args[1]) == "-h" || std::string_view(args[1]) == "--help") {
    if (args.size() >= 2) {
      return write_stdout("Usage: sigil trust update [--mirror URL]\n"
                          "  update  refresh the Sigstore trusted root and signing config over TUF\n");
    }
    return std::unexpected(usage_error("trust", "missing subcommand (update)"));
  }
  if (std::string_view(args[1]) != "update") {
    return std::unexpected(usage_error("trust", "unknown subcommand '" + std::string(args[1]) + "' (use update)"));
  }
  std::string program = "sigil trust update";
  std::vector<char*> rest{program.data()};
  for (std::size_t i = 2; i < args.size(); ++i) rest.push_back(args[i]);
  return run_trust_update(Args(rest));
}

}  // namespace

std::vector<Command> trust_commands() {
  return {{"trust", "Refresh the Sigstore trusted root over TUF (trust update [--mirror URL])", run_trust}};
}

}  // namespace sigil::cli
