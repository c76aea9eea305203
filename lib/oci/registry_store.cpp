#include "oci/registry_store.hpp"

#include <algorithm>
#include <charconv>

#include "common/limits.hpp"
#include "oci/detail/registry_context.hpp"
#include "oci/detail/registry_errors.hpp"
#include "oci/detail/registry_referrers.hpp"
#include "oci/detail/registry_upload.hpp"
#include "oci/detail/registry_url.hpp"
#include "oci/manifest.hpp"
#include "oci/media_types.hpp"
#include "oci/registry_session.hpp"

namespace sigil::oci {
namespace {

constexpr int kMaxTagPages = 100000;

std::optional<std::int64_t> parse_length(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < 0) return std::nullopt;
  return n;
}

bool known_manifest_type(std::string_view mt) { return media_type::is_manifest(mt) || media_type::is_index(mt); }

Error oversize_manifest(std::string_view what) {
  return Error{ErrorCategory::input, std::string(what) + ": manifest larger than the limit of " +
                                         std::to_string(limits::kMaxManifestBytes) + " bytes"};
}

}  // namespace

struct RegistryStore::Impl {
  std::shared_ptr<RegistrySession> session;
  detail::RegistryContext ctx;

  Impl(std::shared_ptr<RegistrySession> s, const Reference& ref)
      : session(std::move(s)), ctx{*session, ref, session->base_url(ref) + "/v2/" + ref.repository} {}

  // HEAD, returning the response (statuses are the caller's business).
  Result<http::Response> head(const std::string& url, bool manifest) {
    http::Request request;
    request.method = "HEAD";
    request.url = url;
    if (manifest) request.headers.emplace_back("Accept", detail::manifest_accept());
    return ctx.send(std::move(request));
  }

  Result<bool> exists(const std::string& url, bool manifest) {
    auto response = head(url, manifest);
    if (!response) return std::unexpected(response.error());
    if (response->status == 200) return true;
    if (response->status == 404) return false;
    return std::unexpected(detail::registry_error("HEAD", url, *response));
  }

  Result<Descriptor> resolve_with_get(std::string_view ref, const std::optional<Digest>& expected) {
    std::string what = ctx.ref.repository_name() + (expected ? "@" : ":") + std::string(ref);
    auto got = ctx.get_manifest(ref, limits::kMaxManifestBytes, oversize_manifest(what));
    if (!got) return std::unexpected(got.error());
    if (!got->found) return std::unexpected(*got->not_found);
    // The digest is computed over the bytes received; the header is only cross-checked.
    DigestAlgorithm alg = expected ? expected->algorithm() : DigestAlgorithm::sha256;
    Digest digest = Digest::of(got->raw, alg);
    if (expected && digest != *expected) {
      return fail(ErrorCategory::integrity, what + ": registry sent bytes hashing to " + digest.str());
    }
    if (!got->header_digest.empty()) {
      auto header = Digest::parse(got->header_digest);
      if (header && header->algorithm() == alg && *header != digest) {
        return fail(ErrorCategory::integrity, what + ": Docker-Content-Digest " + got->header_digest +
                                                  " does not match the received bytes (" + digest.str() + ")");
      }
    }
    std::string mt = got->media_type;
    if (!known_manifest_type(mt)) {
      auto detected = detect_manifest_media_type(got->raw, what);
      if (!detected) return std::unexpected(detected.error());
      mt = *detected;
    }
    Descriptor d;
    d.media_type = mt;
    d.digest = digest;
    d.size = static_cast<std::int64_t>(got->raw.size());
    return d;
  }
};

RegistryStore::RegistryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegistryStore::~RegistryStore() = default;

Result<std::unique_ptr<RegistryStore>> RegistryStore::open(const Reference& ref, const RegistryOptions& options) {
  return open(ref, RegistrySession::create(options));
}

Result<std::unique_ptr<RegistryStore>> RegistryStore::open(const Reference& ref,
                                                           std::shared_ptr<RegistrySession> session) {
  if (ref.transport != Transport::registry) {
    return fail(ErrorCategory::usage, ref.str() + ": not a registry reference");
  }
  if (ref.repository.empty()) return fail(ErrorCategory::usage, ref.str() + ": no repository");
  if (!session) return fail(ErrorCategory::internal, "registry store " + ref.str() + ": no session");
  return std::unique_ptr<RegistryStore>(new RegistryStore(std::make_unique<Impl>(std::move(session), ref)));
}

std::string RegistryStore::name() const { return impl_->ctx.ref.repository_name(); }
const Reference& RegistryStore::reference() const { return impl_->ctx.ref; }
std::shared_ptr<RegistrySession> RegistryStore::session() const { return impl_->session; }

Result<Descriptor> RegistryStore::resolve(std::string_view tag_or_digest) {
  std::optional<Digest> expected;
  if (tag_or_digest.find(':') != std::string_view::npos) {
    auto d = Digest::parse(tag_or_digest);
    if (!d) return std::unexpected(std::move(d.error()).with_context("resolve " + name()));
    expected = *d;
  } else if (!is_valid_tag(tag_or_digest)) {
    return fail(ErrorCategory::input, "resolve " + name() + ": invalid tag \"" + std::string(tag_or_digest) + "\"");
  }
  std::string ref(tag_or_digest);
  std::string what = name() + (expected ? "@" : ":") + ref;
  std::string url = impl_->ctx.repo_url + "/manifests/" + ref;
  auto response = impl_->head(url, true);
  if (!response) return std::unexpected(std::move(response.error()).with_context("resolve " + what));
  if (response->status == 200) {
    std::string mt = detail::bare_media_type(response->header("content-type").value_or(""));
    auto length = parse_length(response->header("content-length"));
    auto header = response->header("docker-content-digest");
    if (length && *length > static_cast<std::int64_t>(limits::kMaxManifestBytes)) {
      return std::unexpected(oversize_manifest("resolve " + what));
    }
    auto header_digest = header ? Digest::parse(*header) : Result<Digest>(std::unexpected(Error{}));
    if (expected && header_digest && header_digest->algorithm() == expected->algorithm() &&
        *header_digest != *expected) {
      return fail(ErrorCategory::integrity, "resolve " + what + ": registry answered for digest " + *header);
    }
    // A HEAD answer is trusted for the tag → digest step only: every later fetch is by digest and
    // verified. Without the headers we need, fall back to GET and hash the bytes.
    std::optional<Digest> digest = expected;
    if (!digest && header_digest) digest = *header_digest;
    if (digest && length && known_manifest_type(mt)) {
      Descriptor d;
      d.media_type = mt;
      d.digest = *digest;
      d.size = *length;
      return d;
    }
  }
  // 404 and other answers: the GET gives the registry's error body (HEAD has none).
  auto d = impl_->resolve_with_get(ref, expected);
  if (!d) return std::unexpected(std::move(d.error()).with_context("resolve " + what));
  return d;
}

Result<std::string> RegistryStore::fetch_manifest(const Descriptor& desc) {
  std::string what = "fetch manifest " + name() + "@" + desc.digest.str();
  if (desc.size < 0 || static_cast<std::size_t>(desc.size) > limits::kMaxManifestBytes) {
    return std::unexpected(oversize_manifest(what));
  }
  Error too_many{ErrorCategory::integrity, what + ": registry sent more than the descriptor's " +
                                                std::to_string(desc.size) + " bytes"};
  auto got = impl_->ctx.get_manifest(desc.digest.str(), static_cast<std::size_t>(desc.size), too_many, desc.media_type);
  if (!got) return std::unexpected(std::move(got.error()).with_context(what));
  if (!got->found) return std::unexpected(got->not_found->with_context(what));
  if (got->raw.size() != static_cast<std::size_t>(desc.size)) {
    return fail(ErrorCategory::integrity, what + ": registry sent " + std::to_string(got->raw.size()) + " of " +
                                              std::to_string(desc.size) + " bytes");
  }
  if (auto ok = verify_digest(got->raw, desc.digest, what); !ok) return std::unexpected(ok.error());
  return std::move(got->raw);
}

Result<void> RegistryStore::fetch_blob(const Descriptor& desc, BlobSink& sink) {
  std::string what = "fetch blob " + name() + "@" + desc.digest.str();
  std::string url = impl_->ctx.repo_url + "/blobs/" + desc.digest.str();
  Hasher hasher(desc.digest.algorithm());
  std::int64_t count = 0;
  http::Request request;
  request.url = url;
  request.follow_redirects = true;
  request.max_body = 64 * 1024;  // error bodies only
  request.on_body = [&](std::string_view chunk) -> Result<void> {
    count += static_cast<std::int64_t>(chunk.size());
    if (count > desc.size) {
      return fail(ErrorCategory::integrity, what + ": registry sent more than the descriptor's " +
                                                std::to_string(desc.size) + " bytes");
    }
    hasher.update(chunk);
    return sink.write(chunk);
  };
  auto response = impl_->ctx.send(std::move(request));
  if (!response) return std::unexpected(std::move(response.error()).with_context("fetch blob " + desc.digest.str()));
  if (response->status != 200) {
    return std::unexpected(detail::registry_error("GET", url, *response).with_context("fetch blob " + desc.digest.str()));
  }
  if (count != desc.size) {
    return fail(ErrorCategory::integrity, what + ": registry sent " + std::to_string(count) + " of " +
                                              std::to_string(desc.size) + " bytes");
  }
  Digest got = hasher.finish();
  if (got != desc.digest) return fail(ErrorCategory::integrity, what + ": received bytes hash to " + got.str());
  return {};
}

Result<bool> RegistryStore::has_blob(const Descriptor& desc) {
  auto r = impl_->exists(impl_->ctx.repo_url + "/blobs/" + desc.digest.str(), false);
  if (!r) return std::unexpected(std::move(r.error()).with_context("check blob " + desc.digest.str()));
  return r;
}

Result<bool> RegistryStore::has_manifest(const Descriptor& desc) {
  auto r = impl_->exists(impl_->ctx.repo_url + "/manifests/" + desc.digest.str(), true);
  if (!r) return std::unexpected(std::move(r.error()).with_context("check manifest " + desc.digest.str()));
  return r;
}

Result<void> RegistryStore::push_blob(const Descriptor& desc, BlobSource& source) {
  std::string what = "push blob " + desc.digest.str() + " to " + name();
  if (desc.size < 0) return fail(ErrorCategory::input, what + ": negative size");
  auto present = has_blob(desc);
  if (!present) return std::unexpected(std::move(present.error()).with_context(what));
  if (*present) return {};
  auto r = detail::upload_blob(impl_->ctx, desc, source);
  if (!r) return std::unexpected(std::move(r.error()).with_context(what));
  return {};
}

Result<bool> RegistryStore::mount_blob(const Descriptor& desc, std::string_view from_repository) {
  auto r = detail::mount_blob(impl_->ctx, desc, from_repository);
  if (!r) {
    return std::unexpected(std::move(r.error()).with_context("mount blob " + desc.digest.str() + " from " +
                                                             std::string(from_repository) + " into " + name()));
  }
  return r;
}

Result<Descriptor> RegistryStore::push_manifest(std::string_view raw, std::string_view media_type,
                                                std::optional<std::string> tag) {
  std::string what = "push manifest to " + name() + (tag ? ":" + *tag : std::string());
  if (raw.size() > limits::kMaxManifestBytes) return std::unexpected(oversize_manifest(what));
  if (tag && !is_valid_tag(*tag)) return fail(ErrorCategory::input, what + ": invalid tag \"" + *tag + "\"");
  Descriptor desc;
  std::optional<Descriptor> subject;
  if (media_type::is_manifest(media_type)) {
    auto m = Manifest::parse(std::string(raw), what);
    if (!m) return std::unexpected(m.error());
    desc = m->descriptor();
    subject = m->subject;
  } else if (media_type::is_index(media_type)) {
    auto i = Index::parse(std::string(raw), what);
    if (!i) return std::unexpected(i.error());
    desc = i->descriptor();
    subject = i->subject;
  } else {
    desc = Descriptor::of(raw, media_type);
  }
  desc.media_type = std::string(media_type);
  std::string url = impl_->ctx.repo_url + "/manifests/" + (tag ? *tag : desc.digest.str());
  http::Request put;
  put.method = "PUT";
  put.url = url;
  put.headers.emplace_back("Content-Type", std::string(media_type));
  put.body = std::string(raw);
  auto response = impl_->ctx.send(std::move(put), true);
  if (!response) return std::unexpected(std::move(response.error()).with_context(what));
  if (response->status != 201 && response->status != 200) {
    return std::unexpected(detail::registry_error("PUT", url, *response).with_context(what));
  }
  if (auto header = response->header("docker-content-digest")) {
    auto d = Digest::parse(*header);
    if (d && d->algorithm() == desc.digest.algorithm() && *d != desc.digest) {
      return fail(ErrorCategory::integrity,
                  what + ": registry stored digest " + *header + " instead of " + desc.digest.str());
    }
  }
  // A registry with the referrers API says so with OCI-Subject; otherwise we keep the tag-schema
  // index up to date ourselves.
  if (subject && !response->header("oci-subject")) {
    if (auto r = detail::add_fallback_referrer(impl_->ctx, subject->digest, desc); !r) {
      return std::unexpected(std::move(r.error()).with_context(what + ": update referrers of " + subject->digest.str()));
    }
  }
  return desc;
}

Result<std::vector<std::string>> RegistryStore::tags() {
  std::string url = impl_->ctx.repo_url + "/tags/list";
  url = detail::add_query(url, "n", std::to_string(std::max(1, impl_->session->options().tags_page_size)));
  std::vector<std::string> out;
  std::string what = "list tags of " + name();
  for (int page = 0; page < kMaxTagPages; ++page) {
    http::Request request;
    request.url = url;
    auto response = impl_->ctx.send(request);
    if (!response) return std::unexpected(std::move(response.error()).with_context(what));
    // A repository nothing was pushed to has no tags (distribution answers NAME_UNKNOWN).
    if (response->status == 404 && page == 0) return out;
    if (response->status != 200) {
      return std::unexpected(detail::registry_error("GET", url, *response).with_context(what));
    }
    auto j = parse_json(response->body, what);
    if (!j) return std::unexpected(j.error());
    if (!j->is_object()) return fail(ErrorCategory::input, what + ": answer is not a JSON object");
    auto it = j->find("tags");
    if (it != j->end() && !it->is_null()) {
      if (!it->is_array()) return fail(ErrorCategory::input, what + ": \"tags\" is not an array");
      for (const auto& t : *it) {
        if (!t.is_string()) return fail(ErrorCategory::input, what + ": a tag is not a string");
        out.push_back(t.get<std::string>());
      }
    }
    auto next = detail::next_link(response->headers_named("link"), url);
    if (!next) {
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    }
    url = *next;
  }
  return fail(ErrorCategory::input, what + ": more than " + std::to_string(kMaxTagPages) + " pages");
}

Result<std::vector<Descriptor>> RegistryStore::referrers(const Digest& subject, std::string_view artifact_type) {
  auto r = detail::list_referrers(impl_->ctx, subject, artifact_type);
  if (!r) return std::unexpected(std::move(r.error()).with_context("referrers of " + name() + "@" + subject.str()));
  return r;
}

}  // namespace sigil::oci
