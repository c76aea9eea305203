// Helpers for the Java cataloger tests: the JDK's `jar` (required under CI=true), shell
// commands, zip archives written in memory with libarchive (for archives `jar` will not make:
// bombs, deep nesting), and a catalog run with the Java cataloger alone.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sbom/catalog.hpp"
#include "sbom/catalogers/registry.hpp"
#include "sbom/filetree/dir_tree.hpp"

#define SIGIL_REQUIRE_JAR()                                                             \
  do {                                                                                  \
    if (!sigil::test::have_tool("jar") || !sigil::test::have_tool("java")) {            \
      if (std::getenv("CI") != nullptr) FAIL() << "the JDK's jar/java are not installed"; \
      GTEST_SKIP() << "the JDK's jar/java are not installed (scripts/bootstrap --test)"; \
    }                                                                                   \
  } while (0)

namespace sigil::test {

inline bool have_tool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

/// Runs a shell command; its exit status.
inline int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

/// Standard output of a shell command.
inline std::string capture(const std::string& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (f == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

inline std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// A zip archive built in memory; entries are (name, content) or (name, N zero bytes).
class ZipWriter {
 public:
  ZipWriter() : a_(archive_write_new()) {
    archive_write_set_format_zip(a_);
    archive_write_zip_set_compression_deflate(a_);
    archive_write_open(a_, this, nullptr, &ZipWriter::write_cb, nullptr);
  }
  ~ZipWriter() {
    if (a_ != nullptr) archive_write_free(a_);
  }
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  ZipWriter& add(const std::string& name, const std::string& content) {
    header(name, content.size());
    archive_write_data(a_, content.data(), content.size());
    return *this;
  }
  ZipWriter& add_zeros(const std::string& name, std::size_t size) {
    header(name, size);
    std::string chunk(1 << 20, '\0');
    for (std::size_t done = 0; done < size; done += chunk.size()) {
      archive_write_data(a_, chunk.data(), std::min(chunk.size(), size - done));
    }
    return *this;
  }
  std::string finish() {
    archive_write_close(a_);
    archive_write_free(a_);
    a_ = nullptr;
    return std::move(out_);
  }

 private:
  void header(const std::string& name, std::size_t size) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), &archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_write_header(a_, e.get());
  }
  static la_ssize_t write_cb(archive*, void* self, const void* buf, size_t n) {
    static_cast<ZipWriter*>(self)->out_.append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }
  archive* a_;
  std::string out_;
};

/// Catalogs `root` with the Java cataloger only.
inline sbom::Inventory run_java(const std::filesystem::path& root) {
  std::vector<std::unique_ptr<sbom::Cataloger>> catalogers;
  catalogers.push_back(sbom::make_java_cataloger());
  auto tree = sbom::DirTree::open(root);
  EXPECT_TRUE(tree);
  if (!tree) return {};
  return sbom::catalog(**tree, sbom::Subject{sbom::Subject::Kind::directory, root.string(), "", ""}, catalogers);
}

inline const sbom::Package* find_package(const sbom::Inventory& inv, const std::string& name) {
  for (const auto& p : inv.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

inline std::string hash_of(const sbom::Package& p, const std::string& alg) {
  for (const auto& [a, h] : p.hashes) {
    if (a == alg) return h;
  }
  return "";
}

/// True when `from` (by name) contains `to` (by name).
inline bool contains(const sbom::Inventory& inv, const std::string& from, const std::string& to) {
  const auto* f = find_package(inv, from);
  const auto* t = find_package(inv, to);
  if (f == nullptr || t == nullptr) return false;
  for (const auto& r : inv.relationships) {
    if (r.from == f->id && r.to == t->id && r.type == sbom::Relationship::Type::contains) return true;
  }
  return false;
}

/// Warnings whose path contains `path_part`, joined (for messages).
inline std::string warnings_about(const sbom::Inventory& inv, const std::string& path_part) {
  std::string out;
  for (const auto& w : inv.warnings) {
    if (w.path.find(path_part) != std::string::npos) out += w.path + ": " + w.message + "\n";
  }
  return out;
}

}  // namespace sigil::test
