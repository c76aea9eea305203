#include "support/docker_config.hpp"

#include <cstdlib>
#include <fstream>

#include "common/base64.hpp"

namespace sigil::test {

void DockerConfigDir::add_auth(const std::string& registry, const std::string& username, const std::string& password) {
  config_["auths"][registry] = {{"auth", base64_encode(username + ":" + password)}};
}

void DockerConfigDir::add_identity_token(const std::string& registry, const std::string& token) {
  config_["auths"][registry] = {{"auth", base64_encode(std::string("<token>:"))}, {"identitytoken", token}};
}

void DockerConfigDir::write() const { write_raw(dump_json_pretty(config_)); }

void DockerConfigDir::write_raw(const std::string& bytes) const {
  std::ofstream out(config_path(), std::ios::binary | std::ios::trunc);
  out << bytes;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) previous_ = old;
  if (value) {
    ::setenv(name_.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  if (previous_) {
    ::setenv(name_.c_str(), previous_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

}  // namespace sigil::test
