// Copy progress on stderr: a line per finished blob and manifest, plus a live status line on a
// terminal. Nothing at all in a pipe unless --verbose.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "oci/copy.hpp"

namespace sigil::cli {

class CopyProgress {
 public:
  /// `terminal`: draw the live status line; `enabled`: print anything at all.
  CopyProgress(std::FILE* out, bool terminal, bool enabled) : out_(out), terminal_(terminal), enabled_(enabled) {}

  /// Feeds one event (copy() serializes the calls).
  void on_event(const oci::CopyEvent& event);
  /// Clears the status line.
  void finish();

 private:
  void line(const std::string& text);
  void draw_status();

  std::FILE* out_;
  bool terminal_;
  bool enabled_;
  bool status_shown_ = false;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> active_;  // digest → (done, size)
};

}  // namespace sigil::cli
