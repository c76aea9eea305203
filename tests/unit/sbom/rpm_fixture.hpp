// rpm databases for the rpm cataloger tests, made by Debian's real `rpm` and `rpmbuild`: three
// tiny noarch packages (an epoch, a legacy Fedora license, a vendor, a Provides, a file
// Requires, a rich dependency) installed with --justdb into an rpmdb.sqlite, plus an imported
// public key (the gpg-pubkey entry syft skips). `rpm -qa` on that database is the oracle.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "e2e/run_sigil.hpp"

#define SIGIL_REQUIRE_RPM_TOOLS()                                                                    \
  do {                                                                                               \
    if (!sigil::test::have_program("rpm") || !sigil::test::have_program("rpmbuild")) {               \
      if (std::getenv("CI") != nullptr) FAIL() << "rpm and rpmbuild are required (scripts/bootstrap)"; \
      GTEST_SKIP() << "rpm or rpmbuild not installed";                                               \
    }                                                                                                \
  } while (0)

namespace sigil::test {

inline bool have_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((std::filesystem::path(dir) / name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// An ed25519 public key made with gpg for these tests; `rpm --import` turns it into gpg-pubkey.
inline constexpr const char* kTestPublicKey = R"(-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawhZ/hYJKwYBBAHaRw8BAQdAUwg02/yF+tMYKHvioDZdmAKsGYcjtZV8VKma
hd0zNUK0HVNpZ2lsIFRlc3QgPHRlc3RAZXhhbXBsZS5vcmc+iJAEExYIADgWIQRj
GvKtPLmo7vdjWOHapOe8vOviMAUCawhZ/gIbAwULCQgHAgYVCgkICwIEFgIDAQIe
AQIXgAAKCRDapOe8vOviMKy5AQDpUZZF6qPhPl8l/79U2rppeVIJ6ZM9J1hFx4cK
usf9oQD/QNbhaeQXEZRa3R8IOyyk3rlQVAh/MUp3Wh0CViI9ZAw=
=v80c
-----END PGP PUBLIC KEY BLOCK-----
)";

inline constexpr const char* kAlphaSpec = R"(Name: sigil-alpha
Version: 1.2.3
Release: 4.fc40
Epoch: 2
Summary: alpha test package
License: GPLv2+ and ASL 2.0
Vendor: Sigil Test Vendor
URL: https://example.org/alpha
BuildArch: noarch
Provides: alpha-capability
%description
alpha
%install
mkdir -p %{buildroot}/usr/share/alpha %{buildroot}/usr/bin
echo a > %{buildroot}/usr/share/alpha/data.txt
echo b > %{buildroot}/usr/bin/alpha
%files
/usr/share/alpha/data.txt
/usr/bin/alpha
)";

inline constexpr const char* kBetaSpec = R"(Name: sigil-beta
Version: 0.9
Release: 1
Summary: beta test package
License: MIT
BuildArch: noarch
Requires: alpha-capability
Requires: /usr/bin/alpha
Requires: (sigil-alpha if sigil-gamma)
%description
beta
%install
mkdir -p %{buildroot}/opt/beta
echo c > %{buildroot}/opt/beta/readme
%files
/opt/beta/readme
)";

inline constexpr const char* kGammaSpec = R"(Name: sigil-gamma
Version: 3.0~rc1
Release: 7.el9
Summary: gamma test package
License: (MIT OR Apache-2.0) AND BSD-3-Clause
BuildArch: noarch
Requires: sigil-beta
%description
gamma
%files
)";

/// Builds the test packages in `work` and installs them into the rpmdb.sqlite of `dbpath`;
/// returns "" or what failed.
inline std::string make_rpmdb(const std::filesystem::path& work, const std::filesystem::path& dbpath) {
  namespace fs = std::filesystem;
  fs::create_directories(work / "top/SPECS");
  fs::create_directories(dbpath);
  std::vector<std::string> specs;
  for (auto [name, text] : {std::pair{"alpha", kAlphaSpec}, {"beta", kBetaSpec}, {"gamma", kGammaSpec}}) {
    fs::path spec = work / "top/SPECS" / (std::string(name) + ".spec");
    std::ofstream(spec) << text;
    specs.push_back(spec.string());
  }
  std::ofstream(work / "key.asc") << kTestPublicKey;
  std::vector<std::string> env{"HOME=" + work.string()};
  std::vector<std::string> build{"rpmbuild", "--quiet", "-bb", "--define", "_topdir " + (work / "top").string(),
                                 "--define", "_build_id_links none", "--define", "_tmppath " + work.string()};
  build.insert(build.end(), specs.begin(), specs.end());
  std::vector<std::vector<std::string>> steps = {
      build,
      {"rpm", "--dbpath", dbpath.string(), "--define", "_db_backend sqlite", "--initdb"},
  };
  std::vector<std::string> install{"rpm",     "--dbpath",     dbpath.string(), "-i",
                                   "--justdb", "--nodeps",    "--ignorearch",  "--ignoreos",
                                   "--nosignature"};
  for (const char* rpm : {"sigil-alpha-1.2.3-4.fc40.noarch.rpm", "sigil-beta-0.9-1.noarch.rpm",
                          "sigil-gamma-3.0~rc1-7.el9.noarch.rpm"}) {
    install.push_back((work / "top/RPMS/noarch" / rpm).string());
  }
  steps.push_back(install);
  steps.push_back({"rpm", "--dbpath", dbpath.string(), "--import", (work / "key.asc").string()});
  for (const auto& argv : steps) {
    auto r = run_program(argv, std::chrono::seconds(120), env);
    if (r.exit_code != 0) return argv[0] + " " + argv[1] + ": exit " + std::to_string(r.exit_code) + ": " + r.err;
  }
  return "";
}

/// `rpm -qa` of `dbpath` as "name\tepochnum:version-release\tarch" lines, without gpg-pubkey.
inline std::set<std::string> rpm_qa(const std::filesystem::path& dbpath) {
  auto r = run_program({"rpm", "--dbpath", dbpath.string(), "-qa", "--qf",
                        "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n"});
  std::set<std::string> out;
  std::stringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && !line.starts_with("gpg-pubkey\t")) out.insert(line);
  }
  return out;
}

}  // namespace sigil::test
