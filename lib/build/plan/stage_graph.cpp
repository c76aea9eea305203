#include "build/plan/stage_graph.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

namespace sigil::build {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

StageRef classify_reference(const dockerfile::Dockerfile& file, const std::string& word,
                            std::optional<std::size_t> before, const std::vector<std::string>& build_contexts) {
  StageRef ref;
  std::string name = lower(word);
  if (before && name == "scratch") {
    ref.kind = StageRef::Kind::scratch;
    return ref;
  }
  // Named stages come first (BuildKit: FROM only sees stages defined above it).
  for (const auto& s : file.stages) {
    if (before && s.index >= *before) break;
    if (!s.name.empty() && s.name == name) {
      ref.kind = StageRef::Kind::stage;
      ref.stage = s.index;
      return ref;
    }
  }
  if (!before && all_digits(name)) {
    ref.kind = StageRef::Kind::stage;
    ref.stage = name.size() > 6 ? file.stages.size() : std::stoul(name);
    return ref;
  }
  if (std::find(build_contexts.begin(), build_contexts.end(), word) != build_contexts.end()) {
    ref.kind = StageRef::Kind::context;
    ref.name = word;
    return ref;
  }
  ref.kind = StageRef::Kind::image;
  ref.name = word;
  return ref;
}

Result<StageOrder> order_stages(const dockerfile::Dockerfile& file, const std::string& target,
                                const dockerfile::GlobalScope& global, const std::vector<std::string>& build_contexts) {
  if (file.stages.empty()) return fail(ErrorCategory::input, file.filename + ": no build stage");
  StageOrder order;
  order.target = file.stages.size() - 1;
  if (!target.empty()) {
    const auto* s = file.find_stage(target);
    if (s == nullptr) return fail(ErrorCategory::usage, "target stage \"" + target + "\" could not be found in " + file.filename);
    order.target = s->index;
  }
  // Each stage's edges: its FROM and its COPY --from references (with the line that made them).
  std::vector<std::vector<std::pair<std::size_t, const dockerfile::SourceLocation*>>> edges(file.stages.size());
  order.bases.resize(file.stages.size());
  for (const auto& stage : file.stages) {
    auto image = dockerfile::expand_word(stage.from.image, global.env(), file.directives.escape_char);
    if (!image) return std::unexpected(file.error_at(stage.location, image.error().message));
    order.bases[stage.index] = classify_reference(file, *image, stage.index, build_contexts);
    if (order.bases[stage.index].kind == StageRef::Kind::stage) {
      edges[stage.index].emplace_back(order.bases[stage.index].stage, &stage.location);
    }
    for (const auto& inst : stage.instructions) {
      const auto* copy = std::get_if<dockerfile::CopyInstruction>(&inst.value);
      if (copy == nullptr || copy->from.empty()) continue;
      auto from = dockerfile::expand_word(copy->from, global.env(), file.directives.escape_char);
      if (!from) return std::unexpected(file.error_at(inst.location, from.error().message));
      auto ref = classify_reference(file, *from, std::nullopt, build_contexts);
      if (ref.kind != StageRef::Kind::stage) continue;
      if (ref.stage >= file.stages.size()) {
        return std::unexpected(file.error_at(inst.location, "COPY --from=" + *from + ": no stage with index " + *from));
      }
      if (ref.stage == stage.index) {
        return std::unexpected(file.error_at(inst.location, "COPY --from=" + *from + ": a stage cannot copy from itself"));
      }
      edges[stage.index].emplace_back(ref.stage, &inst.location);
    }
  }
  // Depth-first from the target; a stage met again while on the path is a cycle.
  std::vector<int> mark(file.stages.size(), 0);  // 0 new, 1 on path, 2 done
  std::function<Result<void>(std::size_t)> visit = [&](std::size_t s) -> Result<void> {
    mark[s] = 1;
    for (const auto& [dep, location] : edges[s]) {
      if (mark[dep] == 1) {
        const auto& d = file.stages[dep];
        std::string name = d.name.empty() ? std::to_string(dep) : d.name;
        return std::unexpected(file.error_at(*location, "circular dependency detected on stage: " + name));
      }
      if (mark[dep] == 0) {
        if (auto r = visit(dep); !r) return r;
      }
    }
    mark[s] = 2;
    order.stages.push_back(s);
    return {};
  };
  if (auto r = visit(order.target); !r) return std::unexpected(r.error());
  return order;
}

}  // namespace sigil::build
