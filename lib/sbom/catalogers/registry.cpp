#include "sbom/catalogers/registry.hpp"

namespace sigil::sbom {

std::vector<std::unique_ptr<Cataloger>> all_catalogers() {
  std::vector<std::unique_ptr<Cataloger>> out;
  out.push_back(make_dpkg_cataloger());
  out.push_back(make_python_cataloger());
  out.push_back(make_npm_cataloger());
  out.push_back(make_apk_cataloger());
  out.push_back(make_rpm_cataloger());
  out.push_back(make_go_binary_cataloger());
  out.push_back(make_rust_cataloger());
  out.push_back(make_java_cataloger());
  out.push_back(make_ruby_cataloger());
  out.push_back(make_php_cataloger());
  out.push_back(make_dotnet_cataloger());
  return out;
}

}  // namespace sigil::sbom
