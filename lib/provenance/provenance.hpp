// SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance) for sigil builds: the predicate
// only. The in-toto statement around it (subjects, predicateType) is assembled by the caller
// with sign::Statement, so this library stays beside lib/sign rather than on top of it.
// sigil's buildType is specified in docs/buildtype.md; keep the two in step.
//
// Umbrella header: predicate.hpp (make_predicate), builder_identity.hpp (detect_builder),
// check.hpp (check_predicate_v1, check_provenance).
#pragma once

#include "provenance/builder_identity.hpp"
#include "provenance/check.hpp"
#include "provenance/predicate.hpp"
