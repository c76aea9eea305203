// The inventory a catalog run produces: packages with their identity (name, version, purl),
// evidence (locations), licenses and relationships, plus the warnings of catalogers that skipped
// bad input. Writers (CycloneDX, SPDX) only read this model.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sbom/distro.hpp"

namespace sigil::sbom {

/// Where a package was found: a path in the file tree and the layer that introduced it
/// (the layer blob digest; empty for directories).
struct Location {
  std::string path;
  std::string layer;

  friend bool operator==(const Location&, const Location&) = default;
  friend auto operator<=>(const Location&, const Location&) = default;
};

/// A license as declared: an SPDX license id ("MIT"), an SPDX expression ("MIT OR Apache-2.0"),
/// or free text (a name the SPDX list does not know).
struct License {
  enum class Kind { spdx_id, expression, text };
  Kind kind = Kind::text;
  std::string value;

  friend bool operator==(const License&, const License&) = default;
};

/// One cataloged package.
struct Package {
  std::string name;
  std::string version;
  std::string type;        ///< ecosystem as syft names it: "deb", "python", "npm", "apk", ...
  std::string purl;        ///< empty when none can be built (e.g. deb without a Debian distro)
  std::string found_by;    ///< the cataloger's name ("dpkg-db-cataloger")
  std::vector<License> licenses;
  std::string supplier;    ///< maintainer or vendor, as written ("Name <mail>")
  std::string author;      ///< author, as written
  std::string description;
  std::vector<std::pair<std::string, std::string>> hashes;  ///< (algorithm "SHA-256", lower-case hex)
  std::vector<Location> locations;                        ///< first = the primary evidence
  std::map<std::string, std::string> metadata;            ///< ecosystem fields ("architecture", "source")
  std::vector<std::string> files;  ///< absolute paths the package says it installed (ownership)
  std::string id;                  ///< stable identifier, set by finalize(); unique in the inventory
};

/// A directed relationship between two packages, by Package::id.
struct Relationship {
  enum class Type {
    depends_on,  ///< from needs to (dpkg Depends, npm dependencies)
    contains,    ///< from owns the files of to (a deb that installed a Python distribution)
  };
  std::string from;
  std::string to;
  Type type = Type::depends_on;

  friend bool operator==(const Relationship&, const Relationship&) = default;
};

/// A cataloger skipped something and said why (corrupt file, link loop, unreadable file).
struct Warning {
  std::string source;   ///< cataloger or component ("dpkg-db-cataloger", "filetree")
  std::string path;     ///< file concerned, when any
  std::string message;
};

/// What was cataloged.
struct Subject {
  enum class Kind { image, directory };
  Kind kind = Kind::directory;
  std::string name;      ///< the reference or the directory as the user named it
  std::string digest;    ///< image manifest digest ("sha256:..."); empty for directories
  std::string platform;  ///< "linux/amd64" for images
};

/// Everything one catalog run found.
struct Inventory {
  Subject subject;
  std::optional<Distro> distro;
  std::vector<Package> packages;
  std::vector<Relationship> relationships;
  std::vector<Warning> warnings;
  std::size_t warnings_dropped = 0;  ///< warnings beyond limits::kMaxSbomWarnings

  /// Records a warning (keeps at most limits::kMaxSbomWarnings, counts the rest).
  void warn(std::string source, std::string path, std::string message);
};

/// Merges packages with the same purl (their locations and files join), gives each package a
/// stable id, drops relationships to unknown or merged-away packages and duplicates, and sorts
/// packages and relationships so that output is deterministic.
void finalize(Inventory& inventory);

}  // namespace sigil::sbom
