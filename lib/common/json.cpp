#include "common/json.hpp"

#include "common/limits.hpp"

namespace sigil {

Result<Json> parse_json(std::string_view text, std::string_view what) {
  bool too_deep = false;
  // The callback sees every nesting step; refusing deep documents protects the recursive parser.
  // nlohmann reports an object/array start at its parent's depth, so the nesting it opens is depth + 1.
  auto depth_guard = [&too_deep](int depth, Json::parse_event_t event, Json&) {
    bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
    if (depth + (opens ? 1 : 0) > limits::kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  Json value = Json::parse(text.begin(), text.end(), depth_guard, /*allow_exceptions=*/false);
  if (too_deep) {
    return fail(ErrorCategory::input, std::string(what) + ": JSON nested deeper than " +
                                          std::to_string(limits::kMaxJsonDepth) + " levels");
  }
  if (value.is_discarded()) {
    // Re-run with exceptions only to obtain the parser's position message; the throw stays here.
    try {
      Json ignored = Json::parse(text.begin(), text.end());
    } catch (const Json::exception& e) {
      std::string msg = e.what();
      if (auto pos = msg.find("] "); pos != std::string::npos) msg = msg.substr(pos + 2);
      // "last read: '...'" quotes the input, which may be a secret (a docker config, a token).
      if (auto pos = msg.find("; last read: "); pos != std::string::npos) {
        auto end = msg.find("'; ", pos + 14);
        msg.erase(pos, end == std::string::npos ? std::string::npos : end + 1 - pos);
      }
      return fail(ErrorCategory::input, std::string(what) + ": invalid JSON: " + msg);
    }
    return fail(ErrorCategory::input, std::string(what) + ": invalid JSON");
  }
  return value;
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string dump_json_pretty(const Json& value) {
  return value.dump(2, ' ', false, Json::error_handler_t::replace);
}

Result<std::string> json_string_member(const Json& object, std::string_view key, std::string_view what) {
  if (!object.is_object()) return fail(ErrorCategory::input, std::string(what) + ": not a JSON object");
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return fail(ErrorCategory::input, std::string(what) + ": \"" + std::string(key) + "\" is not a string");
  }
  return it->get<std::string>();
}

}  // namespace sigil
