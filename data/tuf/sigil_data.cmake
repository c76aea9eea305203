# sigil's default trusted material (issue 7), included by the top-level CMakeLists.txt.
#
# The Sigstore public-good TUF root and the trusted_root.json it signs come from the npm package
# @sigstore/tuf 5.0.1 (seeds.json, base64), which scripts/bootstrap installs with npm ci from
# data/tuf/package-lock.json into .tools/sigil-data-tuf. At build time sigil_seed_extract writes
# them into <build>/share/sigil, beside the sigil binary at the top of the build directory, which
# finds them as <exe dir>/share/sigil; `cmake --install` puts them in <prefix>/share/sigil, which
# the installed <prefix>/bin/sigil finds as <exe dir>/../share/sigil. Nothing is fetched here.
# signing_config.v0.2.json is not in seeds.json: data/tuf/signing_config.v0.2.json is the
# project's copy of the public-good endpoints until `sigil trust update` fetches the signed one.

set(SIGIL_TUF_SEEDS "${PROJECT_SOURCE_DIR}/.tools/sigil-data-tuf/node_modules/@sigstore/tuf/seeds.json"
    CACHE FILEPATH "seeds.json of the npm package @sigstore/tuf 5.0.1 (scripts/bootstrap installs it)")
get_filename_component(sigil_tuf_dir "${SIGIL_TUF_SEEDS}" DIRECTORY)
set(sigil_tuf_package "${sigil_tuf_dir}/package.json")
if(NOT EXISTS "${SIGIL_TUF_SEEDS}" OR NOT EXISTS "${sigil_tuf_package}")
  message(FATAL_ERROR "sigil: ${SIGIL_TUF_SEEDS} is missing: run scripts/bootstrap (it installs the npm "
                      "package @sigstore/tuf 5.0.1 from data/tuf/package-lock.json into .tools/sigil-data-tuf), "
                      "or pass -DSIGIL_TUF_SEEDS=/path/to/@sigstore/tuf/seeds.json")
endif()
file(READ "${sigil_tuf_package}" sigil_tuf_package_json)
string(JSON sigil_tuf_version ERROR_VARIABLE sigil_tuf_error GET "${sigil_tuf_package_json}" version)
if(NOT sigil_tuf_version STREQUAL "5.0.1")
  message(FATAL_ERROR "sigil: ${sigil_tuf_package} is version '${sigil_tuf_version}', expected @sigstore/tuf 5.0.1: "
                      "run scripts/bootstrap")
endif()

add_executable(sigil_seed_extract ${CMAKE_CURRENT_LIST_DIR}/extract_seeds.cpp)
target_link_libraries(sigil_seed_extract PRIVATE sigil_common)

set(sigil_share_dir "${PROJECT_BINARY_DIR}/share/sigil")
add_custom_command(
  OUTPUT "${sigil_share_dir}/trusted_root.json" "${sigil_share_dir}/tuf/root.json"
  COMMAND sigil_seed_extract "${SIGIL_TUF_SEEDS}" "https://tuf-repo-cdn.sigstore.dev" "${sigil_share_dir}"
  DEPENDS sigil_seed_extract "${SIGIL_TUF_SEEDS}"
  COMMENT "Extracting the Sigstore public-good TUF root and trusted_root.json from @sigstore/tuf seeds.json"
  VERBATIM)
add_custom_command(
  OUTPUT "${sigil_share_dir}/signing_config.v0.2.json"
  COMMAND ${CMAKE_COMMAND} -E copy "${CMAKE_CURRENT_LIST_DIR}/signing_config.v0.2.json" "${sigil_share_dir}/signing_config.v0.2.json"
  DEPENDS "${CMAKE_CURRENT_LIST_DIR}/signing_config.v0.2.json"
  VERBATIM)
add_custom_target(sigil_data ALL DEPENDS "${sigil_share_dir}/trusted_root.json" "${sigil_share_dir}/tuf/root.json"
                                         "${sigil_share_dir}/signing_config.v0.2.json")
add_dependencies(sigil sigil_data)

install(FILES "${sigil_share_dir}/trusted_root.json" "${sigil_share_dir}/signing_config.v0.2.json"
        DESTINATION share/sigil)
install(FILES "${sigil_share_dir}/tuf/root.json" DESTINATION share/sigil/tuf)
