// Every cataloger sigil has. Adding one: a file under lib/sbom/catalogers/ with its make_*
// function declared here, one line in registry.cpp, and its fixtures under tests/data/sbom/.
#pragma once

#include <memory>
#include <vector>

#include "sbom/catalogers/cataloger.hpp"

namespace sigil::sbom {

[[nodiscard]] std::unique_ptr<Cataloger> make_dpkg_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_python_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_npm_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_apk_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_rpm_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_go_binary_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_rust_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_java_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_ruby_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_php_cataloger();
[[nodiscard]] std::unique_ptr<Cataloger> make_dotnet_cataloger();

/// All catalogers, in the order they run.
[[nodiscard]] std::vector<std::unique_ptr<Cataloger>> all_catalogers();

}  // namespace sigil::sbom
