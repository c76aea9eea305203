#include "oci/detail/registry_context.hpp"

#include <cctype>

#include "oci/detail/registry_errors.hpp"
#include "oci/media_types.hpp"

namespace sigil::oci::detail {

std::string manifest_accept(std::string_view preferred) {
  std::string out;
  if (!preferred.empty()) out = std::string(preferred);
  for (auto mt : {media_type::kOciManifest, media_type::kOciIndex, media_type::kDockerManifest,
                  media_type::kDockerManifestList}) {
    if (mt == preferred) continue;
    if (!out.empty()) out += ", ";
    out += mt;
  }
  return out;
}

std::string bare_media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view v = content_type.substr(0, semi);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> RegistryContext::pull_scopes() const {
  return {RegistrySession::pull_scope(ref.repository)};
}

std::vector<std::string> RegistryContext::push_scopes() const {
  return {RegistrySession::push_scope(ref.repository)};
}

Result<http::Response> RegistryContext::send(http::Request request, bool push) {
  return session.send(ref, std::move(request), push ? push_scopes() : pull_scopes());
}

Result<ManifestResponse> RegistryContext::get_manifest(std::string_view reference, std::size_t limit,
                                                       const Error& over_limit, std::string_view preferred_type) {
  ManifestResponse out;
  out.url = repo_url + "/manifests/" + std::string(reference);
  http::Request request;
  request.url = out.url;
  request.headers.emplace_back("Accept", manifest_accept(preferred_type));
  request.max_body = 64 * 1024;  // error bodies only: the manifest itself streams through on_body
  // Counting in the callback stops the transfer at the first chunk past the limit, whatever
  // Content-Length claimed, so a hostile registry cannot make us buffer more than that.
  request.on_body = [&out, limit, &over_limit](std::string_view chunk) -> Result<void> {
    if (out.raw.size() + chunk.size() > limit) return std::unexpected(over_limit);
    out.raw.append(chunk);
    return {};
  };
  auto response = send(std::move(request));
  if (!response) return std::unexpected(response.error());
  if (response->status == 404) {
    out.not_found = registry_error("GET", out.url, *response);
    return out;
  }
  if (response->status != 200) return std::unexpected(registry_error("GET", out.url, *response));
  out.found = true;
  out.media_type = bare_media_type(response->header("content-type").value_or(""));
  out.header_digest = response->header("docker-content-digest").value_or("");
  return out;
}

}  // namespace sigil::oci::detail
