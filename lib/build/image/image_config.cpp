#include "build/image/image_config.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/json.hpp"

namespace sigil::build {
namespace {

using Ordered = nlohmann::ordered_json;

// Go's encoding/json escapes <, >, & and U+2028/U+2029 inside strings; BuildKit marshals with
// it, so the same bytes need the same escapes. These characters never occur outside strings.
std::string go_json(const Ordered& value) {
  std::string raw = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xe2' && i + 2 < raw.size() && raw[i + 1] == '\x80' && (raw[i + 2] == '\xa8' || raw[i + 2] == '\xa9')) {
      out += raw[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Ordered string_list(const std::vector<std::string>& items) {
  Ordered a = Ordered::array();
  for (const auto& s : items) a.push_back(s);
  return a;
}

Ordered descriptor_json(const oci::Descriptor& d) {
  Ordered j;
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (!d.urls.empty()) j["urls"] = string_list(d.urls);
  if (!d.annotations.empty()) {
    Ordered a = Ordered::object();
    for (const auto& [k, v] : d.annotations) a[k] = v;
    j["annotations"] = a;
  }
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (d.platform) {
    Ordered p;
    p["architecture"] = d.platform->architecture;
    p["os"] = d.platform->os;
    if (!d.platform->os_version.empty()) p["os.version"] = d.platform->os_version;
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    j["platform"] = p;
  }
  return j;
}

Result<std::vector<std::string>> strings_of(const Json& j, std::string_view key, std::string_view what) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" is not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::set<std::string>> keys_of(const Json& j, std::string_view key, std::string_view what) {
  std::set<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" is not an object");
  for (auto e = it->begin(); e != it->end(); ++e) out.insert(e.key());
  return out;
}

std::int64_t int_member(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::optional<std::string> ImageState::getenv(std::string_view key) const {
  for (const auto& e : env) {
    auto eq = e.find('=');
    if (std::string_view(e).substr(0, eq) == key) return eq == std::string::npos ? std::string() : e.substr(eq + 1);
  }
  return std::nullopt;
}

void ImageState::setenv(std::string_view key, std::string_view value) {
  std::string entry = std::string(key) + "=" + std::string(value);
  for (auto& e : env) {
    if (std::string_view(e).substr(0, e.find('=')) == key) {
      e = entry;
      return;
    }
  }
  env.push_back(std::move(entry));
}

void ImageState::add_history(std::string created_by, bool with_layer, std::string_view created) {
  HistoryEntry h;
  h.created = std::string(created);
  h.created_by = std::move(created_by);
  h.comment = std::string(kHistoryComment);
  h.empty_layer = !with_layer;
  history.push_back(std::move(h));
}

ImageState scratch_state(const oci::Platform& platform) {
  ImageState s;
  s.platform = platform;
  s.env = {"PATH=" + std::string(kDefaultPath)};
  s.working_dir = "/";
  return s;
}

Result<ImageState> state_from_config(const oci::ImageConfig& config, std::string_view what) {
  ImageState s;
  s.platform = config.platform();
  s.diff_ids = config.diff_ids;
  const Json& j = config.json;
  if (auto a = j.find("author"); a != j.end() && a->is_string()) s.author = a->get<std::string>();
  if (auto c = j.find("config"); c != j.end() && !c->is_null()) {
    if (!c->is_object()) return fail(ErrorCategory::input, std::string(what) + ": \"config\" is not an object");
    auto str = [&](std::string_view key, std::string& field) -> Result<void> {
      auto v = json_string_member(*c, key, what);
      if (!v) return std::unexpected(v.error());
      field = *v;
      return {};
    };
    for (auto [key, field] : {std::pair{"User", &s.user}, std::pair{"WorkingDir", &s.working_dir},
                              std::pair{"StopSignal", &s.stop_signal}}) {
      if (auto r = str(key, *field); !r) return std::unexpected(r.error());
    }
    auto env = strings_of(*c, "Env", what);
    auto shell = strings_of(*c, "Shell", what);
    auto onbuild = strings_of(*c, "OnBuild", what);
    auto ports = keys_of(*c, "ExposedPorts", what);
    auto volumes = keys_of(*c, "Volumes", what);
    for (auto* r : {&env, &shell, &onbuild}) {
      if (!*r) return std::unexpected(r->error());
    }
    if (!ports) return std::unexpected(ports.error());
    if (!volumes) return std::unexpected(volumes.error());
    s.env = *env;
    s.shell = *shell;
    s.on_build = *onbuild;
    s.exposed_ports = *ports;
    s.volumes = *volumes;
    for (auto [key, field] : {std::pair{"Entrypoint", &s.entrypoint}, std::pair{"Cmd", &s.cmd}}) {
      auto list = strings_of(*c, key, what);
      if (!list) return std::unexpected(list.error());
      if (!list->empty()) *field = *list;
    }
    if (auto l = c->find("Labels"); l != c->end() && l->is_object()) {
      for (auto e = l->begin(); e != l->end(); ++e) {
        if (e->is_string()) s.labels[e.key()] = e->get<std::string>();
      }
    }
    if (auto a = c->find("ArgsEscaped"); a != c->end() && a->is_boolean()) s.args_escaped = a->get<bool>();
    if (auto h = c->find("Healthcheck"); h != c->end() && h->is_object()) {
      Healthcheck hc;
      auto test = strings_of(*h, "Test", what);
      if (!test) return std::unexpected(test.error());
      hc.test = *test;
      hc.interval = int_member(*h, "Interval");
      hc.timeout = int_member(*h, "Timeout");
      hc.start_period = int_member(*h, "StartPeriod");
      hc.start_interval = int_member(*h, "StartInterval");
      hc.retries = static_cast<int>(int_member(*h, "Retries"));
      s.healthcheck = hc;
    }
  }
  if (auto h = j.find("history"); h != j.end() && h->is_array()) {
    for (const auto& e : *h) {
      if (!e.is_object()) return fail(ErrorCategory::input, std::string(what) + ": history entry is not an object");
      HistoryEntry entry;
      for (auto [key, field] : {std::pair{"created", &entry.created}, std::pair{"author", &entry.author},
                                std::pair{"created_by", &entry.created_by}, std::pair{"comment", &entry.comment}}) {
        auto v = json_string_member(e, key, what);
        if (!v) return std::unexpected(v.error());
        *field = *v;
      }
      if (auto el = e.find("empty_layer"); el != e.end() && el->is_boolean()) entry.empty_layer = el->get<bool>();
      s.history.push_back(std::move(entry));
    }
  }
  return s;
}

std::string serialize_config(const ImageState& s, std::string_view created) {
  Ordered config = Ordered::object();
  if (!s.user.empty()) config["User"] = s.user;
  if (!s.exposed_ports.empty()) {
    Ordered ports = Ordered::object();
    for (const auto& p : s.exposed_ports) ports[p] = Ordered::object();
    config["ExposedPorts"] = ports;
  }
  if (!s.env.empty()) config["Env"] = string_list(s.env);
  if (s.entrypoint && !s.entrypoint->empty()) config["Entrypoint"] = string_list(*s.entrypoint);
  if (s.cmd && !s.cmd->empty()) config["Cmd"] = string_list(*s.cmd);
  if (!s.volumes.empty()) {
    Ordered v = Ordered::object();
    for (const auto& p : s.volumes) v[p] = Ordered::object();
    config["Volumes"] = v;
  }
  if (!s.working_dir.empty()) config["WorkingDir"] = s.working_dir;
  if (!s.labels.empty()) {
    Ordered l = Ordered::object();
    for (const auto& [k, v] : s.labels) l[k] = v;  // Go marshals maps with sorted keys
    config["Labels"] = l;
  }
  if (!s.stop_signal.empty()) config["StopSignal"] = s.stop_signal;
  if (s.args_escaped) config["ArgsEscaped"] = true;
  if (s.healthcheck) {
    Ordered h = Ordered::object();
    if (!s.healthcheck->test.empty()) h["Test"] = string_list(s.healthcheck->test);
    if (s.healthcheck->interval != 0) h["Interval"] = s.healthcheck->interval;
    if (s.healthcheck->timeout != 0) h["Timeout"] = s.healthcheck->timeout;
    if (s.healthcheck->start_period != 0) h["StartPeriod"] = s.healthcheck->start_period;
    if (s.healthcheck->start_interval != 0) h["StartInterval"] = s.healthcheck->start_interval;
    if (s.healthcheck->retries != 0) h["Retries"] = s.healthcheck->retries;
    config["Healthcheck"] = h;
  }
  if (!s.on_build.empty()) config["OnBuild"] = string_list(s.on_build);
  if (!s.shell.empty()) config["Shell"] = string_list(s.shell);

  Ordered history = Ordered::array();
  for (const auto& h : s.history) {
    Ordered e = Ordered::object();
    // Go compares times; RFC 3339 UTC strings of equal shape compare the same way. Entries
    // with other shapes (fractions, offsets) are kept unless clearly later.
    std::string when = h.created;
    if (when.empty() || (when.size() == created.size() && when > created)) when = std::string(created);
    e["created"] = when;
    if (!h.author.empty()) e["author"] = h.author;
    if (!h.created_by.empty()) e["created_by"] = h.created_by;
    if (!h.comment.empty()) e["comment"] = h.comment;
    if (h.empty_layer) e["empty_layer"] = true;
    history.push_back(e);
  }
  Ordered rootfs = Ordered::object();
  rootfs["type"] = "layers";
  Ordered ids = Ordered::array();
  for (const auto& d : s.diff_ids) ids.push_back(d.str());
  rootfs["diff_ids"] = ids;

  // Top-level keys in sorted order, as a Go map marshals them.
  Ordered top = Ordered::object();
  top["architecture"] = s.platform.architecture;
  if (!s.author.empty()) top["author"] = s.author;
  top["config"] = config;
  top["created"] = std::string(created);
  if (!history.empty()) top["history"] = history;
  top["os"] = s.platform.os;
  if (!s.platform.os_version.empty()) top["os.version"] = s.platform.os_version;
  top["rootfs"] = rootfs;
  if (!s.platform.variant.empty()) top["variant"] = s.platform.variant;
  return go_json(top);
}

std::string serialize_descriptor(const oci::Descriptor& desc) { return go_json(descriptor_json(desc)); }

std::string serialize_manifest(const oci::Descriptor& config, const std::vector<oci::Descriptor>& layers,
                               const oci::Annotations& annotations) {
  Ordered m = Ordered::object();
  m["schemaVersion"] = 2;
  m["mediaType"] = "application/vnd.oci.image.manifest.v1+json";
  m["config"] = descriptor_json(config);
  Ordered l = Ordered::array();
  for (const auto& d : layers) l.push_back(descriptor_json(d));
  m["layers"] = l;
  if (!annotations.empty()) {
    Ordered a = Ordered::object();
    for (const auto& [k, v] : annotations) a[k] = v;
    m["annotations"] = a;
  }
  return go_json(m);
}

std::string serialize_index(const std::vector<oci::Descriptor>& manifests, const oci::Annotations& annotations) {
  Ordered m = Ordered::object();
  m["schemaVersion"] = 2;
  m["mediaType"] = "application/vnd.oci.image.index.v1+json";
  Ordered l = Ordered::array();
  for (const auto& d : manifests) l.push_back(descriptor_json(d));
  m["manifests"] = l;
  if (!annotations.empty()) {
    Ordered a = Ordered::object();
    for (const auto& [k, v] : annotations) a[k] = v;
    m["annotations"] = a;
  }
  return go_json(m);
}

std::string go_quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += '"';
    for (unsigned char c : items[i]) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
    }
    out += '"';
  }
  return out + "]";
}

std::string go_plain_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += items[i];
  }
  return out + "]";
}

}  // namespace sigil::build
