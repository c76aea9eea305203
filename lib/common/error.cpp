#include "common/error.hpp"

namespace sigil {

std::string_view category_name(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::usage: return "usage";
    case ErrorCategory::input: return "input";
    case ErrorCategory::integrity: return "integrity";
    case ErrorCategory::denied: return "denied";
    case ErrorCategory::network: return "network";
    case ErrorCategory::internal: return "internal";
  }
  return "internal";
}

int exit_code(ErrorCategory category) {
  switch (category) {
    case ErrorCategory::denied: return 1;
    case ErrorCategory::usage:
    case ErrorCategory::input:
    case ErrorCategory::integrity: return 2;
    case ErrorCategory::network: return 3;
    case ErrorCategory::internal: return 4;
  }
  return 4;
}

}  // namespace sigil
