#include "cmd/sigil/build_progress.hpp"

#include <cstdio>

#include "cmd/sigil/cli.hpp"
#include "common/json.hpp"

namespace sigil::cli {

Result<BuildProgress::Mode> BuildProgress::parse_mode(std::string_view text, std::FILE* out) {
  if (text == "auto" || text == "tty") return is_terminal(out) ? Mode::tty : Mode::plain;
  if (text == "plain") return Mode::plain;
  if (text == "json" || text == "rawjson") return Mode::json;
  if (text == "quiet" || text == "none") return Mode::quiet;
  return fail(ErrorCategory::usage, "build: --progress must be auto, plain, json or quiet, not \"" + std::string(text) + "\"");
}

void BuildProgress::line(const std::string& text) {
  if (status_shown_) std::fputs("\r\033[K", out_);
  std::fputs(text.c_str(), out_);
  std::fputc('\n', out_);
  status_shown_ = false;
  if (mode_ == Mode::tty && pending_ > 0) {
    std::fprintf(out_, "  writing %d layer%s...", pending_, pending_ == 1 ? "" : "s");
    status_shown_ = true;
  }
  std::fflush(out_);
}

void BuildProgress::on_event(const build::BuildEvent& e) {
  if (mode_ == Mode::quiet) return;
  if (mode_ == Mode::json) {
    const char* kinds[] = {"step", "layer", "message"};
    Json j = {{"kind", kinds[static_cast<int>(e.kind)]}, {"platform", e.platform}, {"stage", e.stage},
              {"step", e.step}, {"steps", e.steps}, {"text", e.text}, {"cached", e.cached}};
    if (e.kind == build::BuildEvent::Kind::layer_done) {
      j["size"] = e.size;
      j["seconds"] = e.seconds;
      j["digest"] = e.digest;
    }
    std::fputs((dump_json(j) + "\n").c_str(), out_);
    std::fflush(out_);
    return;
  }
  std::string prefix = "[" + e.platform + " " + e.stage + " " + std::to_string(e.step) + "/" + std::to_string(e.steps) + "] ";
  switch (e.kind) {
    case build::BuildEvent::Kind::message: line(e.text); break;
    case build::BuildEvent::Kind::step:
      if (!e.cached) ++pending_;
      line(prefix + e.text + (e.cached ? "" : " (new)"));
      break;
    case build::BuildEvent::Kind::layer_done: {
      if (!e.cached && pending_ > 0) --pending_;
      char timing[32];
      std::snprintf(timing, sizeof timing, "%.2fs", e.seconds);
      line(prefix + (e.cached ? "CACHED " : "DONE ") + human_bytes(e.size) + (e.cached ? "" : " in " + std::string(timing)) +
           " " + (e.digest.size() > 19 ? e.digest.substr(0, 19) : e.digest));
      break;
    }
  }
}

void BuildProgress::finish(const std::string& digest) {
  if (mode_ == Mode::quiet || mode_ == Mode::json) return;
  pending_ = 0;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char timing[32];
  std::snprintf(timing, sizeof timing, "%.2fs", seconds);
  line("built " + digest + " in " + timing);
}

}  // namespace sigil::cli
