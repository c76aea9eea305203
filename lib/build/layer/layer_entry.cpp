// COPY transformations on layer entries: --chown, --chmod (octal or symbolic) and placement of
// sources under the destination, following BuildKit's fileop/fsutil copy semantics.
#include "build/layer/layer_entry.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace sigil::build {

std::string clean_relative_path(std::string_view path) {
  // Go's path.Clean on "/" + path: rooting the path first makes ".." at the top vanish, which
  // is exactly BuildKit's "parent navigation is stripped" rule for sources and destinations.
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

namespace {

constexpr std::uint32_t kPermMask = 07777;

std::uint32_t who_bits(char c) {
  switch (c) {
    case 'u': return 04700;
    case 'g': return 02070;
    case 'o': return 00007;
    default: return 07777;
  }
}

// The rwx bits of one class of `mode`, replicated into every class (for "g=u").
std::uint32_t class_bits(std::uint32_t mode, char cls) {
  std::uint32_t three = 0;
  if (cls == 'u') three = (mode >> 6) & 7;
  if (cls == 'g') three = (mode >> 3) & 7;
  if (cls == 'o') three = mode & 7;
  return three * 0111;
}

}  // namespace

Result<Chmod> Chmod::parse(std::string_view text) {
  const std::string quoted = "invalid --chmod value '" + std::string(text) + "'";
  if (text.empty()) return fail(ErrorCategory::input, quoted + ": empty");
  Chmod result;
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // BuildKit reads digits as octal up to 07777 and rejects anything else with this meaning.
    if (text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) { return c <= '7'; })) {
      return fail(ErrorCategory::input, quoted + ": an octal mode must be between 0 and 07777");
    }
    std::uint32_t value = 0;
    for (char c : text) value = value * 8 + static_cast<std::uint32_t>(c - '0');
    if (value > kPermMask) return fail(ErrorCategory::input, quoted + ": an octal mode must be between 0 and 07777");
    result.octal_ = value;
    return result;
  }
  std::size_t i = 0;
  while (i <= text.size()) {
    // who
    std::uint32_t who = 0;
    bool who_given = false;
    while (i < text.size() && (text[i] == 'u' || text[i] == 'g' || text[i] == 'o' || text[i] == 'a')) {
      who |= who_bits(text[i]);
      who_given = true;
      ++i;
    }
    if (i >= text.size() || (text[i] != '+' && text[i] != '-' && text[i] != '=')) {
      return fail(ErrorCategory::input, quoted + ": expected an octal mode or [ugoa]*[+-=][rwxXstugo]*");
    }
    while (i < text.size() && (text[i] == '+' || text[i] == '-' || text[i] == '=')) {
      Clause clause;
      clause.who = who_given ? who : 0;
      clause.op = text[i++];
      while (i < text.size() && text[i] != ',' && text[i] != '+' && text[i] != '-' && text[i] != '=') {
        char c = text[i++];
        switch (c) {
          case 'r': clause.perm |= 0444; break;
          case 'w': clause.perm |= 0222; break;
          case 'x': clause.perm |= 0111; break;
          case 'X': clause.x_conditional = true; break;
          case 's':
            // set-id bits only make sense for the user and group classes
            if (!who_given || (who & ~00007u) != 0) clause.perm |= 06000;
            break;
          case 't':
            if (!who_given || (who & ~00007u) != 0) clause.perm |= 01000;
            break;
          case 'u': case 'g': case 'o':
            if (clause.copy_from != 0 || clause.perm != 0) {
              return fail(ErrorCategory::input, quoted + ": a class to copy from stands alone");
            }
            clause.copy_from = c;
            break;
          default:
            return fail(ErrorCategory::input, quoted + ": unknown permission '" + std::string(1, c) + "'");
        }
      }
      result.clauses_.push_back(clause);
    }
    if (i >= text.size()) break;
    if (text[i] != ',') return fail(ErrorCategory::input, quoted + ": expected ','");
    ++i;
    if (i >= text.size()) return fail(ErrorCategory::input, quoted + ": trailing ','");
  }
  return result;
}

std::uint32_t Chmod::apply(std::uint32_t mode, bool is_dir) const {
  if (octal_) return *octal_;
  mode &= kPermMask;
  for (const Clause& clause : clauses_) {
    std::uint32_t mask = clause.who != 0 ? clause.who : kPermMask;
    // The sticky bit belongs to no class: 't' reaches it whenever u or g (or no class) is named.
    if ((clause.perm & 01000) != 0) mask |= 01000;
    std::uint32_t bits = clause.perm;
    if (clause.copy_from != 0) bits |= class_bits(mode, clause.copy_from);
    if (clause.x_conditional && (is_dir || (mode & 0111) != 0)) bits |= 0111;
    bits &= mask;
    switch (clause.op) {
      case '+': mode |= bits; break;
      case '-': mode &= ~bits; break;
      default: {
        const std::uint32_t clear = clause.who != 0 ? clause.who : 06777;
        mode = (mode & ~clear) | bits;
        break;
      }
    }
  }
  return mode & kPermMask;
}

void apply_chown(std::vector<LayerEntry>& entries, const Chown& chown) {
  for (LayerEntry& entry : entries) {
    entry.uid = chown.uid;
    entry.gid = chown.gid;
  }
}

void apply_chmod(std::vector<LayerEntry>& entries, const Chmod& chmod) {
  for (LayerEntry& entry : entries) {
    if (entry.type == EntryType::symlink) continue;
    entry.mode = chmod.apply(entry.mode, entry.type == EntryType::directory);
  }
}

namespace {

std::string join(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  return std::string(dir) + "/" + std::string(name);
}

LayerEntry directory_entry(std::string path, const Chown& owner) {
  LayerEntry entry;
  entry.path = std::move(path);
  entry.type = EntryType::directory;
  entry.mode = 0755;
  entry.uid = owner.uid;
  entry.gid = owner.gid;
  return entry;
}

// Adds `dir` and its parents (relative, clean) as directories unless already present: with the
// stage's metadata when they exist there (as a snapshot differ writes them), else 0755 + owner.
void ensure_dirs(std::string_view dir, const Placement& placement, std::set<std::string>& present,
                 std::vector<LayerEntry>& out) {
  if (dir.empty()) return;
  std::size_t pos = 0;
  while (pos != std::string_view::npos) {
    pos = dir.find('/', pos + 1);
    std::string prefix(dir.substr(0, pos));
    if (!present.insert(prefix).second) continue;
    std::optional<LayerEntry> existing;
    if (placement.existing) existing = placement.existing("/" + prefix);
    if (existing && existing->type == EntryType::directory) {
      existing->path = prefix;
      existing->content = std::monostate{};
      out.push_back(std::move(*existing));
    } else {
      out.push_back(directory_entry(prefix, placement.created_owner));
    }
  }
}

}  // namespace

Result<std::vector<LayerEntry>> place_sources(std::vector<CollectedSource> sources, const Placement& placement) {
  const bool trailing_slash = !placement.dest.empty() && placement.dest.back() == '/';
  const std::string dest = clean_relative_path(placement.dest);
  bool dest_is_dir = trailing_slash || dest.empty();
  if (!dest_is_dir && placement.existing) {
    auto existing = placement.existing("/" + dest);
    dest_is_dir = existing && existing->type == EntryType::directory;
  }
  std::vector<LayerEntry> out;
  std::set<std::string> present;
  for (CollectedSource& source : sources) {
    std::string prefix;  // where the source's entries land
    if (source.is_dir) {
      // Contents go into dest itself, which COPY creates (0755, owner) when missing.
      prefix = dest;
      ensure_dirs(prefix, placement, present, out);
      for (LayerEntry& entry : source.entries) {
        entry.path = join(prefix, entry.path);
        if (entry.type == EntryType::hardlink) entry.link_target = join(prefix, entry.link_target);
        present.erase(entry.path);
        out.push_back(std::move(entry));
      }
      continue;
    }
    for (LayerEntry& entry : source.entries) {
      std::string target = dest_is_dir ? join(dest, entry.path) : dest;
      if (target.empty()) {
        return fail(ErrorCategory::input, "cannot copy a file onto the root directory");
      }
      const std::size_t slash = target.rfind('/');
      ensure_dirs(slash == std::string::npos ? std::string_view{} : std::string_view(target).substr(0, slash),
                  placement, present, out);
      if (entry.type == EntryType::hardlink) {
        // A lone file source has no other entry to link to: the planner collects files one by
        // one, so a hardlink here would dangle. Keep it a regular file.
        entry.type = EntryType::regular;
        entry.link_target.clear();
      }
      entry.path = std::move(target);
      out.push_back(std::move(entry));
    }
  }
  normalize_entries(out);
  return out;
}

void normalize_entries(std::vector<LayerEntry>& entries) {
  // Last entry of a path wins (a later COPY source replaces an earlier one).
  std::map<std::string, std::size_t> last;
  for (std::size_t i = 0; i < entries.size(); ++i) last[entries[i].path] = i;
  std::vector<LayerEntry> unique;
  unique.reserve(last.size());
  std::set<std::string> dirs;
  for (auto& [path, index] : last) {
    if (entries[index].type == EntryType::directory) dirs.insert(path);
  }
  std::vector<LayerEntry> parents;
  for (auto& [path, index] : last) {
    std::size_t pos = path.find('/');
    while (pos != std::string::npos) {
      std::string parent = path.substr(0, pos);
      if (dirs.insert(parent).second && last.find(parent) == last.end()) {
        parents.push_back(directory_entry(parent, Chown{}));
      }
      pos = path.find('/', pos + 1);
    }
    unique.push_back(std::move(entries[index]));
  }
  for (LayerEntry& parent : parents) unique.push_back(std::move(parent));
  // Bytewise order puts a parent ("a") before its children ("a/b"), since it is their prefix.
  std::sort(unique.begin(), unique.end(), [](const LayerEntry& a, const LayerEntry& b) { return a.path < b.path; });
  entries = std::move(unique);
}

}  // namespace sigil::build
