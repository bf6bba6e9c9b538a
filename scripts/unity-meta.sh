#!/usr/bin/env bash
# Writes the Unity .meta file of every file and folder in unity-bridge/ that lacks one (Unity ignores
# assets without .meta in an immutable package: git URL or tarball installs). GUIDs are derived from
# the path, so regenerating gives the same ones. Samples~ is skipped (Unity imports samples into Assets/).
# Usage: scripts/unity-meta.sh [--check]   (--check: list what is missing, exit 1 if anything is)
set -euo pipefail
PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/../unity-bridge" && pwd)"
check=0; [ "${1:-}" = "--check" ] && check=1
missing=0
while IFS= read -r -d '' path; do
  rel="${path#"$PKG"/}"
  meta="$path.meta"
  [ -e "$meta" ] && continue
  missing=$((missing + 1))
  if [ "$check" = 1 ]; then echo "missing: unity-bridge/$rel.meta" >&2; continue; fi
  guid="$(printf 'com.metabalance.editor/%s' "$rel" | md5sum | cut -c1-32)"
  if [ -d "$path" ]; then importer="DefaultImporter"; folder=$'\nfolderAsset: yes'
  else
    folder=""
    case "$rel" in
      package.json) importer="PackageManifestImporter" ;;
      *.cs) importer="MonoImporter" ;;
      *.asmdef) importer="AssemblyDefinitionImporter" ;;
      *) importer="TextScriptImporter" ;;
    esac
  fi
  {
    printf 'fileFormatVersion: 2\nguid: %s%s\n%s:\n  externalObjects: {}\n' "$guid" "$folder" "$importer"
    if [ "$importer" = "MonoImporter" ]; then
      printf '  serializedVersion: 2\n  defaultReferences: []\n  executionOrder: 0\n  icon: {instanceID: 0}\n'
    fi
    printf '  userData: \n  assetBundleName: \n  assetBundleVariant: \n'
  } > "$meta"
done < <(find "$PKG" -mindepth 1 \( -name 'Samples~' -prune \) -o \( ! -name '*.meta' ! -name '.*' -print0 \))
if [ "$check" = 1 ] && [ "$missing" -gt 0 ]; then
  echo "unity-meta: $missing .meta file(s) missing: run scripts/unity-meta.sh" >&2
  exit 1
fi
