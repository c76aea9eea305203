#!/usr/bin/env python3
"""Compares the packages of a CycloneDX JSON SBOM with an oracle list (bench/sbom.sh).

Usage: compare.py TYPE ORACLE LABEL SBOM
  TYPE    purl type to count: npm, deb or pypi
  ORACLE  file of NAME@VERSION lines (the oracle's packages; duplicates are ignored)
Prints one line: LABEL, the number of unique NAME@VERSION of that type in the SBOM (components,
nested ones included), the oracle's count, and the names missing from / extra to the SBOM.
npm keys compare name@version; deb keys name@version with the epoch (purl qualifier "epoch");
pypi keys compare normalized names (PEP 503) and versions.
"""
import json
import re
import sys
from urllib.parse import unquote


def key(kind, name, version):
    if kind == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()
    return name + "@" + version


def from_purl(kind, purl):
    """NAME@VERSION of a purl of type kind, or None."""
    if not purl.startswith("pkg:" + kind + "/"):
        return None
    rest = purl[len("pkg:" + kind + "/"):].split("#", 1)[0]
    rest, _, qualifiers = rest.partition("?")
    path, _, version = rest.rpartition("@")
    qual = dict(q.split("=", 1) for q in qualifiers.split("&") if "=" in q)
    parts = [unquote(p) for p in path.split("/")]
    version = unquote(version)
    if kind == "deb":
        name = parts[-1]  # pkg:deb/NAMESPACE/NAME
        if "epoch" in qual and ":" not in version:
            version = unquote(qual["epoch"]) + ":" + version
    elif kind == "npm":
        name = "/".join(parts)  # @scope/name
    else:
        name = parts[-1]
    return key(kind, name, version)


def components(comps):
    for c in comps or []:
        yield c
        yield from components(c.get("components"))


def short(names, limit=12):
    names = sorted(names)
    if not names:
        return "-"
    more = " (+%d more)" % (len(names) - limit) if len(names) > limit else ""
    return " ".join(names[:limit]) + more


def main():
    kind, oracle_file, label, sbom_file = sys.argv[1:5]
    with open(oracle_file, encoding="utf-8") as f:
        oracle = set()
        for line in f:
            line = line.strip()
            if line:
                name, _, version = line.rpartition("@")
                oracle.add(key(kind, name, version))
    with open(sbom_file, encoding="utf-8") as f:
        bom = json.load(f)
    found = set()
    for c in components(bom.get("components")):
        k = from_purl(kind, c.get("purl", ""))
        if k:
            found.add(k)
    missing, extra = oracle - found, found - oracle
    print("   %-6s %4d %s packages (oracle %d); missing: %s; extra: %s"
          % (label, len(found), kind, len(oracle), short(missing), short(extra)))


if __name__ == "__main__":
    main()
