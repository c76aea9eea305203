#include "oci/detail/registry_referrers.hpp"

#include <algorithm>
#include <mutex>

#include "common/limits.hpp"
#include "oci/detail/registry_errors.hpp"
#include "oci/detail/registry_url.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci::detail {
namespace {

constexpr int kMergeAttempts = 5;

bool contains_digest(const std::vector<Descriptor>& list, const Digest& digest) {
  return std::any_of(list.begin(), list.end(), [&](const Descriptor& d) { return d.digest == digest; });
}

Error too_large(std::string_view what) {
  return Error{ErrorCategory::input, std::string(what) + ": larger than " +
                                         std::to_string(limits::kMaxManifestBytes) + " bytes"};
}

// The fallback index as JSON (an empty OCI index when the tag does not exist) and its entries.
struct FallbackIndex {
  Json json;
  std::vector<Descriptor> entries;
};

Result<FallbackIndex> read_fallback(RegistryContext& ctx, const std::string& tag) {
  std::string what = "referrers index " + ctx.ref.repository_name() + ":" + tag;
  auto got = ctx.get_manifest(tag, limits::kMaxManifestBytes, too_large(what), media_type::kOciIndex);
  if (!got) return std::unexpected(got.error());
  FallbackIndex out;
  if (!got->found) {
    out.json = Json{{"schemaVersion", 2}, {"mediaType", media_type::kOciIndex}, {"manifests", Json::array()}};
    return out;
  }
  auto j = parse_json(got->raw, what);
  if (!j) return std::unexpected(j.error());
  auto entries = index_descriptors(*j, what);
  if (!entries) return std::unexpected(entries.error());
  out.json = std::move(*j);
  out.entries = std::move(*entries);
  return out;
}

Result<std::vector<Descriptor>> list_with_api(RegistryContext& ctx, const Digest& subject,
                                              std::string_view artifact_type, bool& unsupported) {
  std::string url = ctx.repo_url + "/referrers/" + subject.str();
  if (!artifact_type.empty()) url = add_query(url, "artifactType", artifact_type);
  std::vector<Descriptor> out;
  for (int page = 0; page < limits::kMaxReferrerPages; ++page) {
    http::Request request;
    request.url = url;
    request.headers.emplace_back("Accept", std::string(media_type::kOciIndex));
    auto response = ctx.send(request);
    if (!response) return std::unexpected(response.error());
    if (response->status == 404 && page == 0) {
      unsupported = true;
      return out;
    }
    if (response->status != 200) return std::unexpected(registry_error("GET", url, *response));
    std::string what = "referrers of " + subject.str() + " from " + url;
    auto j = parse_json(response->body, what);
    if (!j) return std::unexpected(j.error());
    auto entries = index_descriptors(*j, what);
    if (!entries) return std::unexpected(entries.error());
    // A registry that ignored the filter says so by leaving it out of OCI-Filters-Applied.
    if (!artifact_type.empty() && !filter_applied(response->header("oci-filters-applied").value_or(""), "artifactType")) {
      *entries = filter_artifact_type(std::move(*entries), artifact_type);
    }
    for (auto& d : *entries) {
      if (!contains_digest(out, d.digest)) out.push_back(std::move(d));
    }
    auto next = next_link(response->headers_named("link"), url);
    if (!next) return out;
    url = *next;
  }
  return fail(ErrorCategory::input, "referrers of " + subject.str() + ": more than " +
                                        std::to_string(limits::kMaxReferrerPages) + " pages");
}

}  // namespace

std::string referrers_tag(const Digest& subject) {
  std::string alg(algorithm_name(subject.algorithm()));
  return alg.substr(0, 32) + "-" + subject.hex().substr(0, 64);
}

Result<std::vector<Descriptor>> index_descriptors(const Json& index, std::string_view what) {
  if (!index.is_object()) return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  std::vector<Descriptor> out;
  auto it = index.find("manifests");
  if (it == index.end() || it->is_null()) return out;
  if (!it->is_array()) return fail(ErrorCategory::input, std::string(what) + ": \"manifests\" is not an array");
  std::size_t i = 0;
  for (const auto& item : *it) {
    auto d = Descriptor::from_json(item, std::string(what) + " manifests[" + std::to_string(i++) + "]");
    if (!d) return std::unexpected(d.error());
    out.push_back(std::move(*d));
  }
  return out;
}

std::vector<Descriptor> filter_artifact_type(std::vector<Descriptor> descriptors, std::string_view artifact_type) {
  if (artifact_type.empty()) return descriptors;
  std::erase_if(descriptors, [&](const Descriptor& d) { return d.artifact_type != artifact_type; });
  return descriptors;
}

bool filter_applied(std::string_view header_value, std::string_view filter) {
  while (!header_value.empty()) {
    auto comma = header_value.find(',');
    std::string_view item = header_value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == filter) return true;
    if (comma == std::string_view::npos) break;
    header_value.remove_prefix(comma + 1);
  }
  return false;
}

Result<std::vector<Descriptor>> list_referrers(RegistryContext& ctx, const Digest& subject,
                                               std::string_view artifact_type) {
  bool unsupported = false;
  auto listed = list_with_api(ctx, subject, artifact_type, unsupported);
  if (!listed || !unsupported) return listed;
  auto index = read_fallback(ctx, referrers_tag(subject));
  if (!index) return std::unexpected(index.error());
  return filter_artifact_type(std::move(index->entries), artifact_type);
}

Result<void> add_fallback_referrer(RegistryContext& ctx, const Digest& subject, const Descriptor& referrer) {
  std::string tag = referrers_tag(subject);
  // Debian's registry ignores If-Match, so writers in this process take turns and every write is
  // checked by reading back; another process writing at the same moment is caught by that check.
  std::lock_guard lock(ctx.session.lock_for(ctx.ref.api_host() + "/" + ctx.ref.repository + ":" + tag));
  std::string url = ctx.repo_url + "/manifests/" + tag;
  for (int attempt = 0; attempt < kMergeAttempts; ++attempt) {
    auto index = read_fallback(ctx, tag);
    if (!index) return std::unexpected(index.error());
    if (contains_digest(index->entries, referrer.digest)) return {};
    if (!index->json.contains("manifests") || !index->json["manifests"].is_array()) {
      index->json["manifests"] = Json::array();
    }
    index->json["manifests"].push_back(referrer.to_json());
    if (!index->json.contains("mediaType")) index->json["mediaType"] = media_type::kOciIndex;
    std::string body = dump_json(index->json);
    if (body.size() > limits::kMaxManifestBytes) return std::unexpected(too_large("referrers index " + tag));
    http::Request put;
    put.method = "PUT";
    put.url = url;
    put.headers.emplace_back("Content-Type", std::string(media_type::kOciIndex));
    put.body = std::move(body);
    auto response = ctx.send(std::move(put), true);
    if (!response) return std::unexpected(response.error());
    if (response->status != 201) return std::unexpected(registry_error("PUT", url, *response));
    auto check = read_fallback(ctx, tag);
    if (!check) return std::unexpected(check.error());
    if (contains_digest(check->entries, referrer.digest)) return {};
  }
  return fail(ErrorCategory::network, "referrers index " + ctx.ref.repository_name() + ":" + tag +
                                          ": concurrent writers kept replacing it; gave up after " +
                                          std::to_string(kMergeAttempts) + " attempts");
}

}  // namespace sigil::oci::detail
