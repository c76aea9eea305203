#include "cmd/sigil/progress.hpp"

#include "cmd/sigil/cli.hpp"

namespace sigil::cli {

void CopyProgress::on_event(const oci::CopyEvent& event) {
  if (!enabled_) return;
  using Kind = oci::CopyEvent::Kind;
  const auto& d = event.descriptor;
  std::string name = short_digest(d.digest);
  switch (event.kind) {
    case Kind::blob_started:
      active_[d.digest.str()] = {0, d.size};
      draw_status();
      break;
    case Kind::blob_progress:
      active_[d.digest.str()] = {event.bytes, d.size};
      draw_status();
      break;
    case Kind::blob_done:
      active_.erase(d.digest.str());
      line("copied blob   " + name + "  " + human_bytes(d.size));
      break;
    case Kind::blob_skipped:
      line("blob exists   " + name + "  " + human_bytes(d.size));
      break;
    case Kind::blob_mounted:
      line("mounted blob  " + name + "  " + human_bytes(d.size));
      break;
    case Kind::manifest_pushed:
      line("wrote manifest " + name + "  " + d.media_type);
      break;
  }
}

void CopyProgress::finish() {
  if (status_shown_) std::fputs("\r\033[K", out_);
  status_shown_ = false;
  std::fflush(out_);
}

void CopyProgress::line(const std::string& text) {
  if (terminal_ && status_shown_) std::fputs("\r\033[K", out_);
  std::fputs((text + "\n").c_str(), out_);
  status_shown_ = false;
  draw_status();
}

void CopyProgress::draw_status() {
  if (!terminal_ || active_.empty()) return;
  std::int64_t done = 0;
  std::int64_t total = 0;
  for (const auto& [digest, progress] : active_) {
    done += progress.first;
    total += progress.second;
  }
  std::string text = "copying " + std::to_string(active_.size()) + " blob" + (active_.size() == 1 ? "" : "s") + ": " +
                     human_bytes(done) + " / " + human_bytes(total);
  std::fputs(("\r\033[K" + text).c_str(), out_);
  std::fflush(out_);
  status_shown_ = true;
}

}  // namespace sigil::cli
