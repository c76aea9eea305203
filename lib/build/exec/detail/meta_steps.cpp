// The instructions that change only the image config (and WORKDIR's dispatch), with the history
// text BuildKit's dockerfile2llb writes for each.
#include <algorithm>
#include <cstdio>
#include <set>

#include "build/exec/detail/stage_runner.hpp"

namespace sigil::build::detail {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::vector<std::string> with_shell(const ImageState& state, const dockerfile::CommandLine& line) {
  if (!line.prepend_shell) return line.args;
  std::vector<std::string> out = state.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"} : state.shell;
  out.insert(out.end(), line.args.begin(), line.args.end());
  return out;
}

// Go's time.Duration.String() for the values HEALTHCHECK takes ("30s", "1m30s", "1.5s", "500ms").
std::string go_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  if (ns < 1000000000) {
    char buf[32];
    if (ns % 1000000 == 0) std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ns / 1000000));
    else if (ns % 1000 == 0) std::snprintf(buf, sizeof buf, "%lldµs", static_cast<long long>(ns / 1000));
    else std::snprintf(buf, sizeof buf, "%lldns", static_cast<long long>(ns));
    return buf;
  }
  std::int64_t h = ns / 3600000000000LL;
  std::int64_t m = (ns / 60000000000LL) % 60;
  std::int64_t s_ns = ns % 60000000000LL;
  std::string sec = std::to_string(s_ns / 1000000000);
  if (std::int64_t frac = s_ns % 1000000000; frac != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(frac));
    std::string f = buf;
    while (!f.empty() && f.back() == '0') f.pop_back();
    sec += "." + f;
  }
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  return out + sec + "s";
}

// Go's %q of an int is a quoted character literal ('\x03'); BuildKit prints Retries that way.
std::string go_quoted_rune(int value) {
  char buf[16];
  if (value >= 0x20 && value < 0x7f && value != '\'' && value != '\\') {
    std::snprintf(buf, sizeof buf, "'%c'", static_cast<char>(value));
  } else if (value >= 0 && value < 0x100) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", value);
  } else {
    std::snprintf(buf, sizeof buf, "'\\u%04x'", value);
  }
  return buf;
}

// EXPOSE words as nat.ParsePortSpecs reads them: [ip:[hostport]:]port[-end][/proto].
Result<std::vector<std::string>> parse_ports(const std::string& spec) {
  std::string s = spec;
  std::string proto = "tcp";
  if (auto slash = s.rfind('/'); slash != std::string::npos) {
    proto = s.substr(slash + 1);
    s = s.substr(0, slash);
    std::transform(proto.begin(), proto.end(), proto.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  }
  if (auto colon = s.rfind(':'); colon != std::string::npos) s = s.substr(colon + 1);
  auto bad = [&] { return fail(ErrorCategory::input, "invalid port \"" + spec + "\""); };
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return bad();
  auto dash = s.find('-');
  std::string first = s.substr(0, dash);
  std::string last = dash == std::string::npos ? first : s.substr(dash + 1);
  auto number = [](const std::string& t) -> long {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stol(t);
  };
  long a = number(first);
  long b = number(last);
  if (a < 0 || b < a || a > 65535 || b > 65535) return bad();
  std::vector<std::string> out;
  for (long p = a; p <= b; ++p) out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

}  // namespace

Result<void> StageRunner::apply(const dockerfile::Instruction& inst) {
  ImageState& state = result_.state;
  std::string now = created();
  auto located = [&](const Error& e) { return std::unexpected(error_at(inst, e)); };
  auto meta = [&](const std::string& history) {
    state.add_history(history, false, now);
    event(BuildEvent::Kind::step, history, true);
  };
  return std::visit(
      Overloaded{
          [&](const dockerfile::CopyInstruction&) -> Result<void> { return apply_copy(inst); },
          [&](const dockerfile::AddInstruction&) -> Result<void> { return apply_copy(inst); },
          [&](const dockerfile::FromInstruction&) -> Result<void> {
            return located(Error{ErrorCategory::internal, "FROM inside a stage"});
          },
          [&](const dockerfile::RunInstruction&) -> Result<void> {
            return located(Error{ErrorCategory::input, "RUN is not supported yet: sigil cannot execute build commands"});
          },
          [&](const dockerfile::CmdInstruction& c) -> Result<void> {
            state.cmd = with_shell(state, c.command);
            state.args_escaped = true;
            cmd_set_ = true;
            meta("CMD " + go_quoted_list(*state.cmd));
            return {};
          },
          [&](const dockerfile::EntrypointInstruction& c) -> Result<void> {
            auto args = with_shell(state, c.command);
            if (args.empty()) state.entrypoint.reset(); else state.entrypoint = args;
            // ENTRYPOINT resets a CMD inherited from the base, not one set in this stage.
            if (!cmd_set_) state.cmd.reset();
            meta("ENTRYPOINT " + go_quoted_list(args));
            return {};
          },
          [&](const dockerfile::EnvInstruction& c) -> Result<void> {
            // Keys expand too (`ENV $NAME=x`): use the pairs as the scope expanded them.
            auto pairs = scope_->apply_env(c);
            if (!pairs) return located(pairs.error());
            std::string history = "ENV";
            for (const auto& [key, value] : *pairs) {
              state.setenv(key, value);
              history += " " + key + "=" + value;
            }
            meta(history);
            return {};
          },
          [&](const dockerfile::LabelInstruction& c) -> Result<void> {
            std::string history = "LABEL";
            for (const auto& kv : c.labels) {
              auto key = scope_->expand(kv.key);
              if (!key) return located(key.error());
              auto value = scope_->expand(kv.value);
              if (!value) return located(value.error());
              state.labels[*key] = *value;
              history += " " + *key + "=" + *value;
            }
            meta(history);
            return {};
          },
          [&](const dockerfile::ArgInstruction& c) -> Result<void> {
            if (auto r = scope_->apply_arg(c); !r) return located(r.error());
            std::vector<std::string> parts;
            for (const auto& a : c.args) {
              std::string part = a.name;
              for (const auto& [name, value] : scope_->args()) {
                if (name == a.name && value) part = a.name + "=" + *value;
              }
              parts.push_back(part);
            }
            std::string history = "ARG";
            for (const auto& p : parts) history += " " + p;
            meta(history);
            return {};
          },
          [&](const dockerfile::ExposeInstruction& c) -> Result<void> {
            std::set<std::string> ports;
            for (const auto& word : c.ports) {
              auto words = scope_->expand_split(word);
              if (!words) return located(words.error());
              for (const auto& w : *words) {
                auto parsed = parse_ports(w);
                if (!parsed) return located(parsed.error());
                ports.insert(parsed->begin(), parsed->end());
              }
            }
            std::string history = "EXPOSE map[";
            bool first = true;
            for (const auto& p : ports) {
              state.exposed_ports.insert(p);
              history += (first ? "" : " ") + p + ":{}";
              first = false;
            }
            meta(history + "]");
            return {};
          },
          [&](const dockerfile::UserInstruction& c) -> Result<void> {
            auto user = scope_->expand(c.user);
            if (!user) return located(user.error());
            state.user = *user;
            meta("USER " + *user);
            return {};
          },
          [&](const dockerfile::WorkdirInstruction& c) -> Result<void> {
            auto path = scope_->expand(c.path);
            if (!path) return located(path.error());
            return apply_workdir(inst, *path);
          },
          [&](const dockerfile::ShellInstruction& c) -> Result<void> {
            state.shell = c.shell;
            meta("SHELL " + go_plain_list(c.shell));
            return {};
          },
          [&](const dockerfile::StopsignalInstruction& c) -> Result<void> {
            auto signal = scope_->expand(c.signal);
            if (!signal) return located(signal.error());
            state.stop_signal = *signal;
            meta("STOPSIGNAL " + *signal);
            return {};
          },
          [&](const dockerfile::HealthcheckInstruction& c) -> Result<void> {
            Healthcheck h;
            h.test = c.test;
            h.interval = c.interval.count();
            h.timeout = c.timeout.count();
            h.start_period = c.start_period.count();
            h.start_interval = c.start_interval.count();
            h.retries = c.retries;
            state.healthcheck = h;
            meta("HEALTHCHECK &{" + go_quoted_list(h.test) + " \"" + go_duration(h.interval) + "\" \"" +
                 go_duration(h.timeout) + "\" \"" + go_duration(h.start_period) + "\" \"" +
                 go_duration(h.start_interval) + "\" " + go_quoted_rune(h.retries) + "}");
            return {};
          },
          [&](const dockerfile::VolumeInstruction& c) -> Result<void> {
            std::vector<std::string> volumes;
            for (const auto& v : c.volumes) {
              auto path = scope_->expand(v);
              if (!path) return located(path.error());
              if (path->empty()) return located(Error{ErrorCategory::input, "VOLUME specified can not be an empty string"});
              volumes.push_back(*path);
              state.volumes.insert(*path);
            }
            meta("VOLUME " + go_plain_list(volumes));
            return {};
          },
          [&](const dockerfile::OnbuildInstruction& c) -> Result<void> {
            state.on_build.push_back(c.expression);
            event(BuildEvent::Kind::step, "ONBUILD " + c.expression, true);
            return {};
          },
          [&](const dockerfile::MaintainerInstruction& c) -> Result<void> {
            state.author = c.maintainer;
            meta("MAINTAINER " + c.maintainer);
            return {};
          },
      },
      inst.value);
}

}  // namespace sigil::build::detail
