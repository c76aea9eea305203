#include "sign/keyless/tsa_client.hpp"

#include <utility>

#include "sign/keyless/detail/form.hpp"
#include "sign/keyless/detail/timestamp_query.hpp"

namespace sigil::sign::keyless {

Result<void> check_timestamp_response(std::string_view response_der, std::string_view request_der) {
  return detail::match_timestamp_reply(response_der, request_der);
}

Result<std::string> request_timestamp(http::Client& client, std::string_view tsa_url, std::string_view signature) {
  auto query = detail::timestamp_query(signature);
  if (!query) return std::unexpected(std::move(query.error()));
  http::Request request;
  request.method = "POST";
  request.url = std::string(tsa_url);
  request.headers = {{"Content-Type", "application/timestamp-query"}, {"Accept", "application/timestamp-reply"}};
  request.body = *query;
  request.max_body = 1024 * 1024;
  auto response = client.send(request);
  if (!response) return std::unexpected(std::move(response.error()).with_context("timestamp authority"));
  if (response->status < 200 || response->status > 299) {
    return fail(ErrorCategory::network, "timestamp authority: POST " + request.url + ": HTTP " +
                                            std::to_string(response->status) + ": " + detail::excerpt(response->body));
  }
  if (auto matched = detail::match_timestamp_reply(response->body, *query); !matched) {
    return std::unexpected(std::move(matched.error()).with_context(request.url));
  }
  return std::move(response->body);
}

}  // namespace sigil::sign::keyless
