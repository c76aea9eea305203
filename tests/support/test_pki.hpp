// Throw-away X.509 material for tests, made with OpenSSL at run time: a CA and server
// certificates it signs (for TLS servers on 127.0.0.1). Aborts on OpenSSL failure: these are
// fixtures, not code under test.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sigil::test {

/// A PEM certificate with its PEM (PKCS#8) private key.
struct PemPair {
  std::string cert_pem;
  std::string key_pem;
};

/// A certificate authority that can sign server certificates.
class TestCa {
 public:
  /// A new self-signed CA (EC P-256) with the given common name, valid from an hour ago for a week.
  explicit TestCa(const std::string& common_name = "sigil test CA");
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  /// The CA certificate (PEM), what a client passes as its ca_file.
  [[nodiscard]] const std::string& cert_pem() const { return pem_.cert_pem; }
  /// A server certificate for `hosts` (IP addresses or DNS names, all in subjectAltName) with
  /// serverAuth EKU, signed by this CA.
  [[nodiscard]] PemPair issue_server(const std::vector<std::string>& hosts) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  PemPair pem_;
};

/// Writes `text` to `path` (mode 0600), aborting on failure.
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace sigil::test
