// A docker config directory for credential tests: a temp dir holding config.json with `auths`
// entries, and a scoped DOCKER_CONFIG that points at it.
//
//   sigil::test::DockerConfigDir config;
//   config.add_auth(registry.host_port(), "sigil", "sigil-password");
//   config.write();
//   sigil::test::ScopedEnv env("DOCKER_CONFIG", config.dir().string());
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/json.hpp"
#include "support/temp_dir.hpp"

namespace sigil::test {

class DockerConfigDir {
 public:
  /// The directory (what DOCKER_CONFIG names).
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  /// dir()/config.json.
  [[nodiscard]] std::filesystem::path config_path() const { return dir_ / "config.json"; }

  /// auths[registry] = {"auth": base64(user:password)}, as `docker login` writes it.
  void add_auth(const std::string& registry, const std::string& username, const std::string& password);
  /// auths[registry] = {"identitytoken": token} (an OAuth2 refresh token).
  void add_identity_token(const std::string& registry, const std::string& token);
  /// Any other member ("credHelpers", "credsStore", ...).
  void set(const std::string& key, Json value) { config_[key] = std::move(value); }
  /// The document as it stands.
  [[nodiscard]] const Json& json() const { return config_; }

  /// Writes config.json from the entries added so far.
  void write() const;
  /// Writes config.json with exactly these bytes (for malformed-config tests).
  void write_raw(const std::string& bytes) const;

 private:
  TempDir dir_;
  Json config_ = Json::object();
};

/// Sets (or, with nullopt, unsets) an environment variable and restores it on destruction.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

}  // namespace sigil::test
