// One function per keyword, in the order of checks BuildKit's instructions/parse.go uses, so
// the first error reported for a bad line is the one BuildKit would report.
#include "build/dockerfile/instructions.hpp"

#include <algorithm>
#include <cctype>

#include "build/dockerfile/detail/duration.hpp"
#include "build/dockerfile/detail/flags.hpp"
#include "build/dockerfile/detail/heredoc.hpp"
#include "build/dockerfile/detail/line_parsers.hpp"

namespace sigil::build::dockerfile {
namespace {

using detail::Flags;
using Kind = detail::Flags::Kind;
template <class T>
using Parsed = std::expected<T, std::string>;

const std::vector<std::string> kInstructionNames = {
    "add",   "arg",        "cmd",   "copy",    "entrypoint", "env",  "expose", "from",   "healthcheck",
    "label", "maintainer", "onbuild", "run",   "shell",      "stopsignal", "user", "volume", "workdir"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string at_least_one(std::string_view cmd) { return std::string(cmd) + " requires at least one argument"; }
std::string exactly_one(std::string_view cmd) { return std::string(cmd) + " requires exactly one argument"; }

// handleJSONArgs: exec form keeps the array; shell form is one string.
CommandLine command_line(const Node& node, std::vector<std::string> args) {
  CommandLine out;
  out.prepend_shell = !node.json;
  if (args.empty()) return out;
  if (node.json) {
    out.args = std::move(args);
  } else {
    std::string joined;
    for (std::size_t i = 0; i < args.size(); ++i) joined += (i ? " " : "") + args[i];
    out.args = {joined};
  }
  return out;
}

Parsed<std::vector<KeyValue>> key_values(const Node& node, std::string_view cmd) {
  if (node.args.empty()) return std::unexpected(at_least_one(cmd));
  if (node.args.size() % 3 != 0) return std::unexpected("Bad input to " + std::string(cmd) + ", too many arguments");
  std::vector<KeyValue> out;
  for (std::size_t i = 0; i < node.args.size(); i += 3) {
    if (node.args[i].empty()) return std::unexpected(std::string(cmd) + " names can not be blank");
    out.push_back(KeyValue{node.args[i], node.args[i + 1], node.args[i + 2].empty()});
  }
  return out;
}

struct Sources {
  std::vector<std::string> paths;
  std::vector<InlineSource> inline_sources;
  std::string dest;
};

// parseSourcesAndDest: the last word is the destination; a source word that is a heredoc
// marker takes that heredoc's body.
Parsed<Sources> sources_and_dest(const Node& node, std::string_view cmd) {
  Sources out;
  out.dest = node.args.back();
  auto dest_marker = detail::parse_heredoc_marker(out.dest);
  if (dest_marker && *dest_marker) return std::unexpected(std::string(cmd) + " cannot accept a heredoc as a destination");
  for (std::size_t i = 0; i + 1 < node.args.size(); ++i) {
    const std::string& src = node.args[i];
    auto marker = node.json ? decltype(detail::parse_heredoc_marker(src)){} : detail::parse_heredoc_marker(src);
    if (marker && *marker) {
      InlineSource inline_source{(*marker)->name, "", (*marker)->expand};
      for (const auto& h : node.heredocs) {
        if (h.name == (*marker)->name) inline_source.data = h.content;
      }
      if ((*marker)->chomp) inline_source.data = heredoc_body(Heredoc{"", inline_source.data, true, true, 0});
      out.inline_sources.push_back(std::move(inline_source));
    } else {
      out.paths.push_back(src);
    }
  }
  return out;
}

Parsed<InstructionValue> parse_from(const Node& node) {
  FromInstruction from;
  const auto& a = node.args;
  if (a.size() == 3 && upper(a[1]) == "AS") {
    std::string name = a[2];
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // ^[a-z][a-z0-9-_.]*$
    const auto valid_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'; };
    if (name.empty() || name[0] < 'a' || name[0] > 'z' || !std::all_of(name.begin(), name.end(), valid_char)) {
      return std::unexpected("invalid name for build stage: \"" + a[2] + "\", name can't start with a number or contain symbols");
    }
    from.name = name;
  } else if (a.size() != 1) {
    return std::unexpected("FROM requires either one or three arguments");
  }
  Flags flags;
  flags.add("platform", Kind::string);
  if (auto r = flags.parse(node.flags); !r) return std::unexpected(r.error());
  from.image = a[0];
  from.platform = flags.string("platform");
  return from;
}

template <class T>
Parsed<InstructionValue> parse_copy_like(const Node& node, bool is_copy) {
  const char* cmd = is_copy ? "COPY" : "ADD";
  if (node.args.size() < 2) {
    return std::unexpected(std::string(cmd) + " requires at least two arguments, but only one was provided. Destination could not be determined");
  }
  Flags flags;
  flags.add("exclude", Kind::strings);
  if (is_copy) {
    flags.add("parents", Kind::boolean);
    flags.add("from", Kind::string);
  }
  flags.add("chown", Kind::string);
  flags.add("chmod", Kind::string);
  flags.add("link", Kind::boolean);
  if (!is_copy) {
    flags.add("keep-git-dir", Kind::boolean);
    flags.add("checksum", Kind::string);
  }
  if (auto r = flags.parse(node.flags); !r) return std::unexpected(r.error());
  auto sources = sources_and_dest(node, cmd);
  if (!sources) return std::unexpected(sources.error());
  T out;
  out.sources = std::move(sources->paths);
  out.inline_sources = std::move(sources->inline_sources);
  out.dest = std::move(sources->dest);
  out.chown = flags.string("chown");
  out.chmod = flags.string("chmod");
  out.link = flags.boolean("link");
  out.excludes = flags.strings("exclude");
  out.json = node.json;
  if constexpr (std::is_same_v<T, CopyInstruction>) {
    out.from = flags.string("from");
    out.parents = flags.boolean("parents");
  } else {
    out.keep_git_dir = flags.boolean("keep-git-dir");
    out.checksum = flags.string("checksum");
  }
  return out;
}

Parsed<std::chrono::nanoseconds> interval(const Flags& flags, const std::string& name) {
  const std::string value = flags.string(name);
  if (value.empty()) return std::chrono::nanoseconds(0);
  auto d = detail::parse_go_duration(value);
  if (!d) return std::unexpected(d.error());
  if (*d < std::chrono::milliseconds(1)) return std::unexpected("Interval \"" + name + "\" cannot be less than 1ms");
  return *d;
}

Parsed<InstructionValue> parse_healthcheck(const Node& node) {
  if (node.args.empty()) return std::unexpected(at_least_one("HEALTHCHECK"));
  HealthcheckInstruction hc;
  const std::string type = upper(node.args[0]);
  std::vector<std::string> args(node.args.begin() + 1, node.args.end());
  Flags flags;
  for (const char* name : {"interval", "timeout", "start-period", "start-interval", "retries"}) flags.add(name, Kind::string);
  if (auto r = flags.parse(node.flags); !r) return std::unexpected(r.error());
  if (type == "NONE") {
    if (!args.empty()) return std::unexpected("HEALTHCHECK NONE takes no arguments");
    hc.test = {"NONE"};
    return hc;
  }
  if (type != "CMD") return std::unexpected("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
  CommandLine cmd = command_line(node, std::move(args));
  if (cmd.args.empty()) return std::unexpected("Missing command after HEALTHCHECK CMD");
  hc.test = {node.json ? "CMD" : "CMD-SHELL"};
  hc.test.insert(hc.test.end(), cmd.args.begin(), cmd.args.end());
  for (auto [name, field] : {std::pair{"interval", &hc.interval}, std::pair{"timeout", &hc.timeout},
                             std::pair{"start-period", &hc.start_period}, std::pair{"start-interval", &hc.start_interval}}) {
    auto d = interval(flags, name);
    if (!d) return std::unexpected(d.error());
    *field = *d;
  }
  if (const std::string retries = flags.string("retries"); !retries.empty()) {
    long long n = 0;
    bool ok = retries.size() <= 11;
    std::size_t i = (retries[0] == '-' || retries[0] == '+') ? 1 : 0;
    ok = ok && i < retries.size();
    for (; ok && i < retries.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(retries[i]))) ok = false; else n = n * 10 + (retries[i] - '0');
    }
    if (retries[0] == '-') n = -n;
    if (!ok || n > 2147483647LL || n < -2147483648LL) return std::unexpected("strconv.ParseInt: parsing \"" + retries + "\": invalid syntax");
    if (n < 1) return std::unexpected("--retries must be at least 1 (not " + std::to_string(n) + ")");
    hc.retries = static_cast<int>(n);
  }
  return hc;
}

Parsed<InstructionValue> parse_onbuild(const Node& node) {
  if (!node.child) return std::unexpected(at_least_one("ONBUILD"));
  Flags flags;
  if (auto r = flags.parse(node.flags); !r) return std::unexpected(r.error());
  const std::string trigger = upper(detail::trim_space(node.child->keyword_as_written));
  if (trigger == "ONBUILD") return std::unexpected("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger == "MAINTAINER" || trigger == "FROM") return std::unexpected(trigger + " isn't allowed as an ONBUILD trigger");
  // BuildKit removes (?i)^\s*ONBUILD\s* from the original line.
  OnbuildInstruction out;
  std::string_view expr = node.original;
  const auto skip_space = [&] {
    while (!expr.empty() && (expr.front() == ' ' || expr.front() == '\t' || expr.front() == '\n' ||
                             expr.front() == '\f' || expr.front() == '\r')) {
      expr.remove_prefix(1);
    }
  };
  skip_space();
  if (upper(expr.substr(0, 7)) == "ONBUILD") expr.remove_prefix(7);
  skip_space();
  out.expression = std::string(expr);
  for (const auto& h : node.heredocs) out.expression += "\n" + h.content + h.name;
  out.trigger = trigger;
  return out;
}

Parsed<InstructionValue> parse_value(const Node& node) {
  const std::string& k = node.keyword;
  const auto plain_flags = [&]() -> Parsed<void> {
    Flags none;
    return none.parse(node.flags);
  };
  if (k == "from") return parse_from(node);
  if (k == "copy") return parse_copy_like<CopyInstruction>(node, true);
  if (k == "add") return parse_copy_like<AddInstruction>(node, false);
  if (k == "healthcheck") return parse_healthcheck(node);
  if (k == "onbuild") return parse_onbuild(node);
  if (k == "run") {
    Flags flags;
    flags.add("mount", Kind::strings);
    flags.add("network", Kind::string);
    flags.add("security", Kind::string);
    if (auto r = flags.parse(node.flags); !r) return std::unexpected(r.error());
    RunInstruction run;
    run.command = command_line(node, node.args);
    run.files = node.heredocs;
    run.mounts = flags.strings("mount");
    run.network = flags.string("network");
    run.security = flags.string("security");
    return run;
  }
  if (k == "env" || k == "label") {
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    auto kvs = key_values(node, upper(k));
    if (!kvs) return std::unexpected(kvs.error());
    if (k == "env") return EnvInstruction{std::move(*kvs)};
    return LabelInstruction{std::move(*kvs)};
  }
  if (k == "maintainer" || k == "workdir" || k == "user" || k == "stopsignal") {
    if (node.args.size() != 1) return std::unexpected(exactly_one(upper(k)));
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    if (k == "maintainer") return MaintainerInstruction{node.args[0]};
    if (k == "workdir") return WorkdirInstruction{node.args[0]};
    if (k == "user") return UserInstruction{node.args[0]};
    return StopsignalInstruction{node.args[0]};
  }
  if (k == "cmd" || k == "entrypoint") {
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    if (k == "cmd") return CmdInstruction{command_line(node, node.args)};
    return EntrypointInstruction{command_line(node, node.args)};
  }
  if (k == "expose") {
    if (node.args.empty()) return std::unexpected(at_least_one("EXPOSE"));
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    return ExposeInstruction{node.args};
  }
  if (k == "volume") {
    if (node.args.empty()) return std::unexpected(at_least_one("VOLUME"));
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    VolumeInstruction volume;
    for (const auto& v : node.args) {
      const auto trimmed = detail::trim_space(v);
      if (trimmed.empty()) return std::unexpected("VOLUME specified can not be an empty string");
      volume.volumes.emplace_back(trimmed);
    }
    return volume;
  }
  if (k == "arg") {
    if (node.args.empty()) return std::unexpected(at_least_one("ARG"));
    ArgInstruction arg;
    for (const auto& word : node.args) {
      const auto eq = word.find('=');
      if (eq == std::string::npos) {
        arg.args.push_back(ArgDeclaration{word, std::nullopt});
        continue;
      }
      if (eq == 0) return std::unexpected("ARG names can not be blank");
      arg.args.push_back(ArgDeclaration{word.substr(0, eq), word.substr(eq + 1)});
    }
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    return arg;
  }
  if (k == "shell") {
    if (auto r = plain_flags(); !r) return std::unexpected(r.error());
    if (node.args.empty()) return std::unexpected(at_least_one("SHELL"));
    if (!node.json) {
      return std::unexpected("SHELL requires the arguments to be in JSON form");
    }
    return ShellInstruction{node.args};
  }
  std::string msg = "unknown instruction: " + node.keyword_as_written;
  if (auto s = detail::suggest(node.keyword_as_written, kInstructionNames, false); !s.empty()) msg += " (did you mean " + s + "?)";
  return std::unexpected(msg);
}

}  // namespace

Result<Instruction> parse_instruction(const Node& node, std::string_view filename, std::string_view text) {
  auto value = parse_value(node);
  if (!value) return std::unexpected(located_error(filename, text, node.location, value.error()));
  return Instruction{std::move(*value), upper(node.keyword), node.original, node.location};
}

}  // namespace sigil::build::dockerfile
