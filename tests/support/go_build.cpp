#include "support/go_build.hpp"

#include <cstdio>
#include <fstream>

namespace sigil::test {
namespace fs = std::filesystem;

bool go_available() { return std::system("go version >/dev/null 2>&1") == 0; }

std::string run_shell(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// GOFLAGS=-mod=mod lets go write the go.sum a local replace needs; nothing is fetched.
std::string go_build(const fs::path& module_dir, const fs::path& scratch, const fs::path& out) {
  return run_shell("cd '" + module_dir.string() + "' && env GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local " +
                   "GOCACHE='" + (scratch / "cache").string() + "' GOPATH='" + (scratch / "gopath").string() +
                   "' CGO_ENABLED=0 go build -o '" + out.string() + "' . 2>&1");
}

void write_go_app_with_local_replace(const fs::path& work, const std::string& app_module,
                                     const std::string& lib_version, const std::string& greeting) {
  fs::create_directories(work / "mylib");
  fs::create_directories(work / "app");
  std::ofstream(work / "mylib/go.mod") << "module example.com/mylib\n\ngo 1.19\n";
  std::ofstream(work / "mylib/lib.go") << "package mylib\n\nfunc Hello() string { return \"" << greeting << "\" }\n";
  std::ofstream(work / "app/go.mod") << "module " << app_module << "\n\ngo 1.19\n\nrequire example.com/mylib "
                                     << lib_version << "\n\nreplace example.com/mylib " << lib_version
                                     << " => ../mylib\n";
  std::ofstream(work / "app/main.go")
      << "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/mylib\"\n)\n\nfunc main() { fmt.Println(mylib.Hello()) }\n";
}

}  // namespace sigil::test
