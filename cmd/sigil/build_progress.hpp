// Progress of `sigil build` on stderr: one line per step and per finished layer in pipes
// (--progress plain), the same with a live status line on a terminal (auto), JSON lines with
// --progress json, nothing with --progress quiet.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "build/exec/builder.hpp"
#include "common/error.hpp"

namespace sigil::cli {

class BuildProgress {
 public:
  enum class Mode { plain, tty, json, quiet };
  /// Parses --progress (auto picks tty on a terminal, plain otherwise).
  [[nodiscard]] static Result<Mode> parse_mode(std::string_view text, std::FILE* out);

  BuildProgress(std::FILE* out, Mode mode) : out_(out), mode_(mode), start_(std::chrono::steady_clock::now()) {}
  void on_event(const build::BuildEvent& event);
  /// Final line ("built sha256:... in 1.2s") and clears the status line.
  void finish(const std::string& digest);

 private:
  void line(const std::string& text);
  std::FILE* out_;
  Mode mode_;
  std::chrono::steady_clock::time_point start_;
  int pending_ = 0;
  bool status_shown_ = false;
};

}  // namespace sigil::cli
