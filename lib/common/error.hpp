// One error type for every library: a category that decides the exit code, a message, and the
// context each layer adds on the way up ("fetch manifest sha256:...: GET https://...: 404 ...").
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace sigil {

/// What kind of failure this is; cmd/sigil maps it to an exit code.
enum class ErrorCategory {
  usage,      ///< wrong flags or arguments (exit 2)
  input,      ///< malformed or unsupported input (exit 2)
  integrity,  ///< bytes do not match their digest, broken store (exit 2)
  denied,     ///< a verification or policy said no (exit 1)
  network,    ///< could not reach or finish talking to a server; may be temporary (exit 3)
  internal,   ///< a bug or an environment failure (exit 4)
};

/// Short lower-case name of a category, for JSON output and logs.
[[nodiscard]] std::string_view category_name(ErrorCategory category);

/// Process exit code for a category: 0 is never returned.
[[nodiscard]] int exit_code(ErrorCategory category);

/// A failure with its category and a one-line message (context first, cause last).
struct Error {
  ErrorCategory category = ErrorCategory::internal;
  std::string message;

  /// Prepends what the caller was doing: "fetch manifest X: <message>".
  [[nodiscard]] Error with_context(std::string_view context) const& {
    return Error{category, std::string(context) + ": " + message};
  }
  [[nodiscard]] Error with_context(std::string_view context) && {
    message = std::string(context) + ": " + message;
    return std::move(*this);
  }
};

/// Every fallible library function returns a Result.
template <class T>
using Result = std::expected<T, Error>;

/// Shorthand for building the unexpected side of a Result.
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCategory category, std::string message) {
  return std::unexpected(Error{category, std::move(message)});
}

}  // namespace sigil
