#!/usr/bin/env node
// Writes a synthetic proto tree for bench/contract.sh:
//   contract-gen.js DIR PACKAGES FILES_PER_PACKAGE VARIANT
// VARIANT: "old" (the base), "new" (about a tenth of the files changed in
// ways buf and trellis report), "one" (the base with one file changed).
// Files import files of earlier packages, so the tree is a real import graph.
const fs = require("fs");
const path = require("path");

const [dir, packagesArg, perPackageArg, variant] = process.argv.slice(2);
const packages = Number(packagesArg);
const perPackage = Number(perPackageArg);
if (!dir || !packages || !perPackage || !["old", "new", "one"].includes(variant)) {
  console.error("usage: contract-gen.js DIR PACKAGES FILES_PER_PACKAGE old|new|one");
  process.exit(2);
}

// A small deterministic generator: the same arguments give the same tree.
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const scalars = ["string", "int32", "int64", "bool", "double", "bytes", "uint32", "fixed64"];

function file(p, f) {
  const changed =
    (variant === "new" && (p * perPackage + f) % 10 === 3) ||
    (variant === "one" && p === 0 && f === 0);
  const lines = ['syntax = "proto3";', "", `package bench.p${p}.v1;`, ""];
  lines.push(`option go_package = "example.com/bench/p${p}/v1;p${p}v1";`, "");
  const imports = [];
  if (p > 0) {
    for (let k = 0; k < 3; k++) {
      const q = Math.floor(random() * p);
      const g = Math.floor(random() * perPackage);
      const name = `bench/p${q}/v1/f${g}.proto`;
      if (!imports.includes(name)) imports.push(name);
    }
  }
  imports.push("google/protobuf/timestamp.proto");
  for (const i of imports) lines.push(`import "${i}";`);
  lines.push("");
  lines.push(`enum F${f}Status {`, `  F${f}_STATUS_UNSPECIFIED = 0;`, `  F${f}_STATUS_ACTIVE = 1;`);
  if (!changed) lines.push(`  F${f}_STATUS_RETIRED = 2;`);
  lines.push("}", "");
  for (let m = 0; m < 6; m++) {
    lines.push(`message F${f}M${m} {`);
    for (let n = 1; n <= 12; n++) {
      let type = scalars[(m + n + f) % scalars.length];
      if (changed && m === 1 && n === 2) type = type === "int64" ? "string" : "int64";
      if (changed && m === 2 && n === 3) continue; // a deleted field
      const name = changed && m === 3 && n === 4 ? `renamed_${n}` : `field_${n}`;
      lines.push(`  ${type} ${name} = ${n};`);
    }
    const imported = imports[0];
    if (imported.startsWith("bench/")) {
      const [, q, g] = imported.match(/bench\/p(\d+)\/v1\/f(\d+)\.proto/) || [];
      if (q !== undefined) lines.push(`  bench.p${q}.v1.F${g}M0 ref = 13;`);
    }
    lines.push(`  F${f}Status status = 14;`, "  google.protobuf.Timestamp created = 15;", "}", "");
  }
  lines.push(`service F${f}Service {`);
  lines.push(`  rpc Get(F${f}M0) returns (F${f}M1);`);
  if (!changed) lines.push(`  rpc List(F${f}M2) returns (F${f}M3);`);
  lines.push("}", "");
  return lines.join("\n");
}

for (let p = 0; p < packages; p++) {
  const target = path.join(dir, "bench", `p${p}`, "v1");
  fs.mkdirSync(target, { recursive: true });
  for (let f = 0; f < perPackage; f++) {
    fs.writeFileSync(path.join(target, `f${f}.proto`), file(p, f));
  }
}
fs.writeFileSync(path.join(dir, "buf.yaml"), "version: v2\nbreaking:\n  use: [FILE]\n");
