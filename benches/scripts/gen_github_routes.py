#!/usr/bin/env python3
"""Writes benches/src/github_routes.rs from benches/data/github-api-routes.txt.

Our router is statically typed: every `.route()` call is code, so the 130 GitHub routes must be
known when the benches compile. They are generated into a committed module (not by a build
script) so that the workspace builds from a clean clone without the shared data, and so the code
is there to read. At run time `silent_tower_benches::data::github_routes()` reads the shared file
again and refuses to run if it no longer matches this module.

Usage (from the repository root): python3 benches/scripts/gen_github_routes.py [ROUTES_FILE]
"""
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[2]
source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "benches/data/github-api-routes.txt"
routes = [
    line.strip()
    for line in source.read_text().splitlines()
    if line.strip() and not line.startswith("#")
]

out = []
out.append("//! The GitHub REST API route table, as code (generated; do not edit).")
out.append("//!")
out.append("//! Written by `benches/scripts/gen_github_routes.py` from `shared/data/github-api-routes.txt`.")
out.append("//! [`ROUTES`] lists the patterns in the file's order; each peer adds them to its router in a loop.")
out.append("")
out.append(f"/// The {len(routes)} routes, `{{param}}` syntax, in the file's order.")
out.append(f"pub const ROUTES: [&str; {len(routes)}] = [")
for route in routes:
    out.append(f'    "{route}",')
out.append("];")
out.append("")
target = root / "benches/src/github_routes.rs"
target.write_text("\n".join(out))
print(f"wrote {len(routes)} routes to {target.relative_to(root)}")
