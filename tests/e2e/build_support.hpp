// Shared by the build e2e and interop tests: writing contexts and reading built layouts.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/file.hpp"
#include "common/json.hpp"
#include "common/limits.hpp"
#include "e2e/run_sigil.hpp"
#include "oci/layout_store.hpp"
#include "oci/manifest.hpp"
#include "support/temp_dir.hpp"

namespace sigil::test {

namespace fs = std::filesystem;

/// Writes a file (creating parents) with a mode.
inline void put(const fs::path& path, const std::string& text, fs::perms mode = fs::perms(0644)) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, mode);
}

/// The small context most tests build: files, a subdirectory, an executable, a symlink.
inline void write_sample_context(const fs::path& dir, const std::string& dockerfile) {
  put(dir / "Dockerfile", dockerfile);
  put(dir / "hello.txt", "hello, world\n");
  put(dir / "app" / "main.sh", "#!/bin/sh\necho hi\n", fs::perms(0755));
  put(dir / "app" / "data" / "table.csv", "a,b\n1,2\n");
  fs::create_symlink("main.sh", dir / "app" / "run");
}

/// Runs `sigil build` with a private cache directory and plain progress.
inline RunResult build(const fs::path& cache, std::vector<std::string> args) {
  std::vector<std::string> all{"build", "--cache-dir", cache.string(), "--progress", "plain"};
  all.insert(all.end(), args.begin(), args.end());
  return run_sigil(all, std::chrono::seconds(300), {"SOURCE_DATE_EPOCH="});
}

/// The image a layout's tag names: manifest and config JSON.
struct BuiltImage {
  oci::Manifest manifest;
  Json config;
  std::unique_ptr<oci::LayoutStore> store;
};

inline BuiltImage read_built(const fs::path& layout, const std::string& tag) {
  BuiltImage out;
  auto store = oci::LayoutStore::open(layout, false);
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  if (!store) return out;
  out.store = std::move(*store);
  auto desc = out.store->resolve(tag);
  EXPECT_TRUE(desc) << (desc ? "" : desc.error().message);
  if (!desc) return out;
  auto raw = out.store->fetch_manifest(*desc);
  EXPECT_TRUE(raw);
  if (!raw) return out;
  auto m = oci::Manifest::parse(*raw);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  if (!m) return out;
  out.manifest = *m;
  auto config = out.store->fetch_blob_bytes(m->config, limits::kMaxConfigBytes);
  EXPECT_TRUE(config);
  if (!config) return out;
  out.config = parse_json(*config, "config").value_or(Json());
  return out;
}

}  // namespace sigil::test
