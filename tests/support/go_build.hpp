// Go binaries built by tests, with Debian's golang-go: hermetic (no network, caches inside the
// test's own directory), for the Go binary catalogers' tests and their oracles.
//
//   SIGIL_REQUIRE_GO();
//   sigil::test::write_go_app_with_local_replace(tmp.path(), "example.com/app", "v1.2.3", "hello");
//   std::string log = sigil::test::go_build(tmp / "app", tmp.path(), tmp / "bin/app");
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

// Go is optional on a laptop and mandatory in CI, where a skip would hide a regression.
#define SIGIL_REQUIRE_GO()                                                     \
  do {                                                                         \
    if (!::sigil::test::go_available()) {                                      \
      if (std::getenv("CI") != nullptr) FAIL() << "go (golang-go) is missing"; \
      GTEST_SKIP() << "go (golang-go) is missing";                             \
    }                                                                          \
  } while (0)

namespace sigil::test {

/// True when `go version` runs.
[[nodiscard]] bool go_available();

/// The standard output of `sh -c cmd` ("" when it cannot be started).
[[nodiscard]] std::string run_shell(const std::string& cmd);

/// Builds the Go main package in `module_dir` into `out` (statically, CGO_ENABLED=0) without
/// network (GOPROXY=off, GOTOOLCHAIN=local), with GOCACHE and GOPATH under `scratch`. Returns
/// go's combined output, for the assertion message when `out` does not exist afterwards.
[[nodiscard]] std::string go_build(const std::filesystem::path& module_dir, const std::filesystem::path& scratch,
                                   const std::filesystem::path& out);

/// Writes a Go program with one dependency resolved by a local `replace`: module `app_module` in
/// work/app requires example.com/mylib `lib_version`, replaced by work/mylib, whose Hello()
/// returns `greeting` (the program prints it).
void write_go_app_with_local_replace(const std::filesystem::path& work, const std::string& app_module,
                                     const std::string& lib_version, const std::string& greeting);

}  // namespace sigil::test
