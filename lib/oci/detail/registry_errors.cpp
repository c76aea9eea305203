#include "oci/detail/registry_errors.hpp"

#include "common/json.hpp"

namespace sigil::oci::detail {
namespace {

std::string_view reason_phrase(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// Messages end up on one line: registries sometimes put newlines or long detail in them.
std::string one_line(std::string_view text, std::size_t max_chars) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

bool RegistryError::has_code(std::string_view code) const {
  for (const auto& c : codes) {
    if (c == code) return true;
  }
  return false;
}

bool is_temporary_status(long status) {
  return status == 429 || (status >= 500 && status <= 599 && status != 501 && status != 505);
}

RegistryError parse_registry_error(const http::Response& response) {
  RegistryError e;
  e.status = response.status;
  e.temporary = is_temporary_status(response.status);
  if (!response.body.empty()) {
    auto j = parse_json(response.body, "registry error");
    if (j && j->is_object()) {
      auto it = j->find("errors");
      if (it != j->end() && it->is_array()) {
        for (const auto& item : *it) {
          if (!item.is_object()) continue;
          auto code = item.find("code");
          if (code != item.end() && code->is_string()) e.codes.push_back(code->get<std::string>());
          auto msg = item.find("message");
          if (e.message.empty() && msg != item.end() && msg->is_string()) {
            e.message = one_line(msg->get<std::string>(), 300);
          }
        }
      }
    }
  }
  if (e.has_code("TOOMANYREQUESTS")) e.temporary = true;
  return e;
}

Error registry_error(std::string_view method, std::string_view url, const http::Response& response) {
  RegistryError e = parse_registry_error(response);
  std::string text = std::string(method) + " " + std::string(url) + ": " + std::to_string(e.status);
  if (!e.codes.empty()) {
    text += " " + e.codes.front();
  } else if (auto phrase = reason_phrase(e.status); !phrase.empty()) {
    text += " " + std::string(phrase);
  }
  std::string message = e.message;
  if (message.empty() && e.status == 401) message = "authentication required";
  if (message.empty() && e.status == 403) message = "access denied";
  if (!message.empty()) text += ": " + message;
  // Authentication failures are input errors (wrong or missing credentials: fix the command
  // line or docker config), not "denied", which sigil keeps for verification and policy verdicts.
  ErrorCategory category = e.temporary ? ErrorCategory::network : ErrorCategory::input;
  if (e.status >= 500 && !e.temporary) category = ErrorCategory::network;
  return Error{category, std::move(text)};
}

}  // namespace sigil::oci::detail
