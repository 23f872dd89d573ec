#!/usr/bin/env python3
"""Vendor the map's and the API docs' third-party files from the npm registry into api/static/vendor/.

For each pinned package this runs ``npm pack <name>@<version>`` in a temporary directory,
extracts only the files the pages need into ``api/static/vendor/<name>/``, copies the
package's licence beside them, applies the package's recorded patches (each one exact string
replacement, refused unless it matches exactly once), and records everything in
``api/static/vendor/VENDORED.json`` (package, version, licence, tarball integrity, patches,
files with their SHA-256 as committed).

The pages need no build step: the vendored files are committed, and this script is only run
to change a version. Usage::

    python scripts/vendor_assets.py          # re-vendor (needs node/npm and the npm registry)
    python scripts/vendor_assets.py --check  # verify the committed files against VENDORED.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "api" / "static" / "vendor"
MANIFEST = VENDOR / "VENDORED.json"


@dataclass(frozen=True)
class Patch:
    file: str  # path inside the tarball's package/ folder
    replace: str
    with_: str
    why: str


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    files: tuple[str, ...]  # paths inside the tarball's package/ folder
    licence: str = "LICENSE"
    why: str = ""
    patches: tuple[Patch, ...] = ()


PACKAGES = (
    Package(
        "leaflet",
        "1.9.4",
        (
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ),
        why="the interactive map (no tile layer is used)",
    ),
    Package(
        "topojson-client",
        "3.1.0",
        ("dist/topojson-client.min.js",),
        why="turns the world-atlas TopoJSON into GeoJSON in the browser",
    ),
    Package(
        "world-atlas",
        "2.0.2",
        ("countries-50m.json",),
        why="country outlines (Natural Earth 1:50m admin-0, public domain) drawn under the network",
    ),
    Package(
        "swagger-ui-dist",
        "5.35.0",
        ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-bundle.js.LICENSE.txt", "NOTICE"),
        why="the interactive API documentation at /docs (the bundle's own third-party licences beside it)",
    ),
    Package(
        "redoc",
        "2.5.4",
        ("bundles/redoc.standalone.js", "bundles/redoc.standalone.js.LICENSE.txt"),
        why="the reference API documentation at /redoc (the bundle's own third-party licences beside it)",
        patches=(
            Patch(
                "bundles/redoc.standalone.js",
                'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"',
                'src:"data:,"',
                "the menu's Redocly logo is always fetched from Redocly's CDN (no option turns it off); an empty "
                "image fails at once, so ReDoc hides it and the page reaches no other host",
            ),
        ),
    ),
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _target(package: Package, member: str) -> str:
    # dist/ is dropped so that leaflet.css still finds its images/ folder beside it; bundles/ for a flat folder.
    return member.removeprefix("dist/").removeprefix("bundles/")


def pack(package: Package, workdir: Path) -> dict[str, object]:
    spec = f"{package.name}@{package.version}"
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--silent"], cwd=workdir, check=True, capture_output=True, text=True
    )
    info = json.loads(out.stdout)[0]
    tarball = workdir / info["filename"]
    dest = VENDOR / package.name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    wanted = {f"package/{f}": f for f in (*package.files, package.licence)}
    files: dict[str, str] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        for name, relative in wanted.items():
            member = members.get(name)
            if member is None or not member.isfile():
                raise SystemExit(f"{spec}: {relative} is not in the tarball")
            target = dest / _target(package, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            data = source.read()
            for patch in (p for p in package.patches if p.file == relative):
                data = _apply(spec, patch, data)
            target.write_bytes(data)
            files[target.relative_to(VENDOR).as_posix()] = sha256(target)
    return {
        "name": package.name,
        "version": package.version,
        "license": info.get("license") or _licence_from_package_json(tarball),
        "license_file": f"{package.name}/{package.licence}",
        "integrity": info.get("integrity"),
        "tarball": f"https://registry.npmjs.org/{package.name}/-/{package.name}-{package.version}.tgz",
        "why": package.why,
        "patches": [
            {"file": _target(package, p.file), "replace": p.replace, "with": p.with_, "why": p.why}
            for p in package.patches
        ],
        "files": files,
    }


def _apply(spec: str, patch: Patch, data: bytes) -> bytes:
    old, new = patch.replace.encode(), patch.with_.encode()
    if data.count(old) != 1:
        raise SystemExit(f"{spec}: patch for {patch.file} matches {data.count(old)} times, not once: {patch.replace!r}")
    return data.replace(old, new)


def _licence_from_package_json(tarball: Path) -> str | None:
    with tarfile.open(tarball, "r:gz") as tar:
        source = tar.extractfile("package/package.json")
        assert source is not None
        licence = json.load(source).get("license")
    return str(licence) if licence else None


def vendor() -> None:
    if shutil.which("npm") is None:
        raise SystemExit("npm is not on PATH; install Node.js to re-vendor (the committed files need no npm)")
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vendor-") as tmp:
        records = [pack(p, Path(tmp)) for p in PACKAGES]
    manifest = {
        "comment": "Written by scripts/vendor_assets.py; do not edit by hand.",
        "packages": records,
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for record in records:
        print(f"vendored {record['name']}@{record['version']}: {len(record['files'])} files")  # type: ignore[arg-type]


def check() -> int:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    problems = []
    pinned = {p.name: p.version for p in PACKAGES}
    for record in manifest["packages"]:
        if pinned.get(record["name"]) != record["version"]:
            problems.append(
                f"{record['name']}: VENDORED.json has {record['version']}, script pins {pinned.get(record['name'])}"
            )
        for relative, digest in record["files"].items():
            path = VENDOR / relative
            if not path.is_file():
                problems.append(f"missing {path.relative_to(ROOT)}")
            elif sha256(path) != digest:
                problems.append(f"changed {path.relative_to(ROOT)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify the vendored files instead of fetching them")
    args = parser.parse_args()
    if args.check:
        return check()
    vendor()
    return 0


if __name__ == "__main__":
    sys.exit(main())
