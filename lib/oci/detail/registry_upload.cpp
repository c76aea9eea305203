#include "oci/detail/registry_upload.hpp"

#include <algorithm>
#include <optional>

#include "oci/detail/registry_errors.hpp"
#include "oci/detail/registry_url.hpp"
#include "oci/digest.hpp"

namespace sigil::oci::detail {
namespace {

// Reads the source for the HTTP body while hashing and counting, never past the descriptor's size.
class VerifyingReader {
 public:
  VerifyingReader(BlobSource& source, const Descriptor& desc)
      : source_(source), desc_(desc), hasher_(desc.digest.algorithm()) {}

  // Reads up to `capacity` bytes but not past `limit` (an absolute offset into the blob).
  Result<std::size_t> read(char* buffer, std::size_t capacity, std::int64_t limit) {
    std::int64_t remaining = std::min(limit, desc_.size) - count_;
    if (remaining <= 0) return 0;
    capacity = std::min<std::size_t>(capacity, static_cast<std::size_t>(remaining));
    auto n = source_.read(buffer, capacity);
    if (!n) return std::unexpected(std::move(n.error()).with_context("read blob " + desc_.digest.str()));
    if (*n == 0) {
      return fail(ErrorCategory::integrity, "blob " + desc_.digest.str() + ": source ended after " +
                                                std::to_string(count_) + " of " + std::to_string(desc_.size) + " bytes");
    }
    hasher_.update(std::string_view(buffer, *n));
    count_ += static_cast<std::int64_t>(*n);
    return *n;
  }

  [[nodiscard]] std::int64_t count() const { return count_; }

  // After the last byte: the source must be exhausted and hash to the digest.
  Result<void> finish() {
    if (count_ != desc_.size) {
      return fail(ErrorCategory::integrity, "blob " + desc_.digest.str() + ": source gave " + std::to_string(count_) +
                                                " of " + std::to_string(desc_.size) + " bytes");
    }
    char probe = 0;
    auto extra = source_.read(&probe, 1);
    if (!extra) return std::unexpected(std::move(extra.error()).with_context("read blob " + desc_.digest.str()));
    if (*extra != 0) {
      return fail(ErrorCategory::integrity,
                  "blob " + desc_.digest.str() + ": source is larger than " + std::to_string(desc_.size) + " bytes");
    }
    Digest got = hasher_.finish();
    if (got != desc_.digest) {
      return fail(ErrorCategory::integrity, "blob " + desc_.digest.str() + ": source bytes hash to " + got.str());
    }
    return {};
  }

 private:
  BlobSource& source_;
  const Descriptor& desc_;
  Hasher hasher_;
  std::int64_t count_ = 0;
};

Result<std::string> location_of(const http::Response& response, const std::string& request_url,
                                std::string_view method) {
  auto loc = response.header("location");
  if (!loc || loc->empty()) {
    return fail(ErrorCategory::network, std::string(method) + " " + request_url + ": " +
                                            std::to_string(response.status) + " answer without a Location header");
  }
  return resolve_url(request_url, *loc);
}

// A transfer that failed inside our reader reports the reader's error, not the transport's.
Error pick_error(const Error& transport, const std::optional<Error>& reader_error) {
  return reader_error ? *reader_error : transport;
}

http::Request body_request(std::string method, std::string url, VerifyingReader& reader, std::int64_t start,
                           std::int64_t length, std::optional<Error>& reader_error) {
  http::Request request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  request.body_size = length;
  std::int64_t end = start + length;
  request.body_reader = [&reader, end, &reader_error](char* buffer, std::size_t capacity) -> Result<std::size_t> {
    auto n = reader.read(buffer, capacity, end);
    if (!n) reader_error = n.error();
    return n;
  };
  return request;
}

Result<void> put_monolithic(RegistryContext& ctx, const Descriptor& desc, BlobSource& source, const std::string& location) {
  VerifyingReader reader(source, desc);
  std::optional<Error> reader_error;
  std::string url = add_query(location, "digest", desc.digest.str());
  auto response = ctx.send(body_request("PUT", url, reader, 0, desc.size, reader_error), true);
  if (!response) return std::unexpected(pick_error(response.error(), reader_error));
  // Our own check first: a registry refusing a wrong blob (400 DIGEST_INVALID) is explained better by it.
  if (auto ok = reader.finish(); !ok) return ok;
  if (response->status != 201) return std::unexpected(registry_error("PUT", url, *response));
  return {};
}

Result<void> put_chunked(RegistryContext& ctx, const Descriptor& desc, BlobSource& source, std::string location) {
  VerifyingReader reader(source, desc);
  std::int64_t chunk = std::max<std::int64_t>(ctx.session.options().chunk_size, 1);
  for (std::int64_t offset = 0; offset < desc.size;) {
    std::int64_t n = std::min(chunk, desc.size - offset);
    std::optional<Error> reader_error;
    auto request = body_request("PATCH", location, reader, offset, n, reader_error);
    request.headers.emplace_back("Content-Range", std::to_string(offset) + "-" + std::to_string(offset + n - 1));
    auto response = ctx.send(std::move(request), true);
    if (!response) return std::unexpected(pick_error(response.error(), reader_error));
    if (reader_error) return std::unexpected(*reader_error);
    if (response->status != 202) return std::unexpected(registry_error("PATCH", location, *response));
    if (response->header("location")) {
      auto next = location_of(*response, location, "PATCH");
      if (!next) return std::unexpected(next.error());
      location = *next;
    }
    offset += n;
  }
  // Verified before the closing PUT: a wrong source never becomes a blob.
  if (auto ok = reader.finish(); !ok) return ok;
  http::Request close;
  close.method = "PUT";
  close.url = add_query(location, "digest", desc.digest.str());
  close.body_size = 0;
  close.headers.emplace_back("Content-Type", "application/octet-stream");
  auto response = ctx.send(close, true);
  if (!response) return std::unexpected(response.error());
  if (response->status != 201) return std::unexpected(registry_error("PUT", close.url, *response));
  return {};
}

}  // namespace

Result<void> upload_blob(RegistryContext& ctx, const Descriptor& desc, BlobSource& source) {
  http::Request start;
  start.method = "POST";
  start.url = ctx.repo_url + "/blobs/uploads/";
  start.body_size = 0;
  auto response = ctx.send(start, true);
  if (!response) return std::unexpected(response.error());
  if (response->status == 201) {
    // The registry completed the upload from the POST alone (it already had the blob).
    auto digest = response->header("docker-content-digest");
    if (digest && *digest != desc.digest.str()) {
      return fail(ErrorCategory::integrity, "POST " + start.url + ": registry reports digest " + *digest +
                                                " instead of " + desc.digest.str());
    }
    return {};
  }
  if (response->status != 202) return std::unexpected(registry_error("POST", start.url, *response));
  auto location = location_of(*response, start.url, "POST");
  if (!location) return std::unexpected(location.error());
  if (desc.size > ctx.session.options().chunk_threshold) return put_chunked(ctx, desc, source, *location);
  return put_monolithic(ctx, desc, source, *location);
}

Result<bool> mount_blob(RegistryContext& ctx, const Descriptor& desc, std::string_view from_repository) {
  http::Request request;
  request.method = "POST";
  request.url = add_query(add_query(ctx.repo_url + "/blobs/uploads/", "mount", desc.digest.str()), "from",
                          from_repository);
  request.body_size = 0;
  std::vector<std::string> scopes = {RegistrySession::pull_scope(from_repository),
                                     RegistrySession::push_scope(ctx.ref.repository)};
  auto response = ctx.session.send(ctx.ref, request, scopes);
  if (!response) return std::unexpected(response.error());
  if (response->status == 201) return true;
  if (response->status != 202) return std::unexpected(registry_error("POST", request.url, *response));
  // Not mounted: the registry opened an upload session; cancel it so it does not linger
  // (best effort — the caller's own upload starts a fresh one).
  if (auto location = location_of(*response, request.url, "POST")) {
    http::Request cancel;
    cancel.method = "DELETE";
    cancel.url = *location;
    (void)ctx.session.send(ctx.ref, cancel, scopes);
  }
  return false;
}

}  // namespace sigil::oci::detail
