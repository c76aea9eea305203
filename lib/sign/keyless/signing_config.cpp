#include "sign/keyless/signing_config.hpp"

#include <utility>

#include "common/json.hpp"
#include "sign/keyless/detail/rfc3339.hpp"

namespace sigil::sign::keyless {
namespace {

constexpr std::string_view kWhat = "signing config";
constexpr std::size_t kMaxSigningConfigBytes = 1024 * 1024;

Error bad(const std::string& problem) { return Error{ErrorCategory::input, std::string(kWhat) + ": " + problem}; }

// A member by key, or nullptr (pointer access keeps GCC's null-dereference analysis quiet).
const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

Result<SigstoreTime> time_member(const Json& object, const char* key, const std::string& where) {
  const Json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::unexpected(bad(where + " has no string \"" + key + "\""));
  auto time = detail::parse_rfc3339_utc(value->get_ref<const std::string&>());
  if (!time) return std::unexpected(bad(where + "." + key + " is not an RFC 3339 UTC time"));
  return *time;
}

Result<Service> service(const Json& entry, const std::string& where) {
  if (!entry.is_object()) return std::unexpected(bad(where + " is not an object"));
  Service out;
  const Json* url = member(entry, "url");
  if (url == nullptr || !url->is_string() || url->get_ref<const std::string&>().empty()) {
    return std::unexpected(bad(where + " has no url"));
  }
  out.url = url->get<std::string>();
  if (const Json* version = member(entry, "majorApiVersion")) {
    if (!version->is_number_unsigned() || version->get<std::uint64_t>() > 1000) {
      return std::unexpected(bad(where + ".majorApiVersion is not a small unsigned number"));
    }
    out.major_api_version = version->get<int>();
  }
  const Json* valid_for = member(entry, "validFor");
  if (valid_for == nullptr || !valid_for->is_object()) return std::unexpected(bad(where + " has no validFor"));
  auto start = time_member(*valid_for, "start", where + ".validFor");
  if (!start) return std::unexpected(std::move(start.error()));
  out.valid_for.start = *start;
  if (member(*valid_for, "end") != nullptr) {
    auto end = time_member(*valid_for, "end", where + ".validFor");
    if (!end) return std::unexpected(std::move(end.error()));
    out.valid_for.end = *end;
  }
  auto operator_name = json_string_member(entry, "operator", kWhat);
  if (!operator_name) return std::unexpected(std::move(operator_name.error()));
  out.operator_name = std::move(*operator_name);
  return out;
}

Result<std::vector<Service>> services(const Json& document, const char* key) {
  std::vector<Service> out;
  const Json* list = member(document, key);
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return std::unexpected(bad(std::string(key) + " is not an array"));
  std::size_t index = 0;
  for (const Json& entry : *list) {
    auto parsed = service(entry, std::string(key) + "[" + std::to_string(index++) + "]");
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    out.push_back(std::move(*parsed));
  }
  return out;
}

Result<std::string> selector(const Json& document, const char* key) {
  const Json* config = member(document, key);
  if (config == nullptr || config->is_null()) return std::string();
  if (!config->is_object()) return std::unexpected(bad(std::string(key) + " is not an object"));
  auto value = json_string_member(*config, "selector", kWhat);
  if (!value) return std::unexpected(std::move(value.error()));
  if (!value->empty() && *value != "ANY" && *value != "ALL" && *value != "EXACT") {
    return std::unexpected(bad(std::string(key) + ".selector \"" + *value + "\" is not ANY, ALL or EXACT"));
  }
  return value;
}

}  // namespace

Result<SigningConfig> parse_signing_config(std::string_view json) {
  if (json.size() > kMaxSigningConfigBytes) {
    return std::unexpected(bad("larger than " + std::to_string(kMaxSigningConfigBytes) + " bytes"));
  }
  auto document = parse_json(json, kWhat);
  if (!document) return std::unexpected(std::move(document.error()));
  if (!document->is_object()) return std::unexpected(bad("not a JSON object"));
  SigningConfig config;
  auto media_type = json_string_member(*document, "mediaType", kWhat);
  if (!media_type) return std::unexpected(std::move(media_type.error()));
  if (*media_type != kSigningConfigMediaTypeV02) {
    return std::unexpected(bad("unsupported mediaType \"" + *media_type + "\" (want " +
                               std::string(kSigningConfigMediaTypeV02) + ")"));
  }
  config.media_type = std::move(*media_type);
  std::pair<const char*, std::vector<Service>*> lists[] = {{"caUrls", &config.ca_urls},
                                                           {"oidcUrls", &config.oidc_urls},
                                                           {"rekorTlogUrls", &config.rekor_tlog_urls},
                                                           {"tsaUrls", &config.tsa_urls}};
  for (auto& [key, target] : lists) {
    auto parsed = services(*document, key);
    if (!parsed) return std::unexpected(std::move(parsed.error()));
    *target = std::move(*parsed);
  }
  auto rekor_selector = selector(*document, "rekorTlogConfig");
  if (!rekor_selector) return std::unexpected(std::move(rekor_selector.error()));
  config.rekor_tlog_selector = std::move(*rekor_selector);
  auto tsa_selector = selector(*document, "tsaConfig");
  if (!tsa_selector) return std::unexpected(std::move(tsa_selector.error()));
  config.tsa_selector = std::move(*tsa_selector);
  return config;
}

Result<Service> select_service(const std::vector<Service>& services, int major_api_version, SigstoreTime now,
                               std::string_view what) {
  for (const Service& service : services) {
    if (service.major_api_version == major_api_version && service.valid_for.contains(now)) return service;
  }
  return std::unexpected(bad("no " + std::string(what) + " service with API version " +
                             std::to_string(major_api_version) + " valid at " + detail::format_rfc3339_utc(now)));
}

Result<KeylessEndpoints> select_endpoints(const SigningConfig& config, SigstoreTime now) {
  KeylessEndpoints endpoints;
  auto fulcio = select_service(config.ca_urls, 1, now, "Fulcio");
  if (!fulcio) return std::unexpected(std::move(fulcio.error()));
  endpoints.fulcio_url = std::move(fulcio->url);
  // sigil speaks Rekor v1 (/api/v1/log/entries); a config listing only v2 logs cannot be used.
  auto rekor = select_service(config.rekor_tlog_urls, 1, now, "Rekor");
  if (!rekor) return std::unexpected(std::move(rekor.error()));
  endpoints.rekor_url = std::move(rekor->url);
  if (auto tsa = select_service(config.tsa_urls, 1, now, "TSA")) endpoints.tsa_url = std::move(tsa->url);
  if (auto oidc = select_service(config.oidc_urls, 1, now, "OIDC")) endpoints.oidc_url = std::move(oidc->url);
  return endpoints;
}

KeylessEndpoints public_good_endpoints() {
  return {.fulcio_url = "https://fulcio.sigstore.dev",
          .rekor_url = "https://rekor.sigstore.dev",
          .tsa_url = "https://timestamp.sigstore.dev/api/v1/timestamp",
          .oidc_url = "https://oauth2.sigstore.dev/auth"};
}

KeylessEndpoints staging_endpoints() {
  return {.fulcio_url = "https://fulcio.sigstage.dev",
          .rekor_url = "https://rekor.sigstage.dev",
          .tsa_url = "https://timestamp.sigstage.dev/api/v1/timestamp",
          .oidc_url = "https://oauth2.sigstage.dev/auth"};
}

}  // namespace sigil::sign::keyless
