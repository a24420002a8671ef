#!/usr/bin/env python3
"""The CUDA libraries of a TensorFlow wheel, from NVIDIA's wheels (zip files), for scripts/native-backend --gpu.

usage: cuda_wheels.py requirements TF_WHEEL       # the nvidia-* requirements of its `and-cuda` extra, one a line
       cuda_wheels.py unpack DEST NVIDIA_WHEEL... # DEST/nvidia/<name>/lib/ gets each wheel's shared libraries

TensorFlow's libraries find these through their RUNPATH ($ORIGIN/../nvidia/<name>/lib), the layout pip
gives them in site-packages; `unpack` keeps that layout and takes only nvidia/*/lib/*.so* (no headers,
no executables, no Python). Writes to DEST only; exits 1 with a one-line reason on a bad wheel.
"""
import os
import re
import sys
import zipfile

from unpack_wheel import extract  # the script's own folder is on sys.path

EXTRA = re.compile(r'^Requires-Dist:\s*(nvidia-[^;]+);\s*extra\s*==\s*"and-cuda"\s*$', re.M)
LIB = re.compile(r"^nvidia/([A-Za-z0-9_]+)/lib/([^/]+\.so[.0-9]*)$")


def fail(msg: str) -> None:
    print(f"cuda_wheels: {msg}", file=sys.stderr)
    sys.exit(1)


def open_wheel(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        fail(f"{path} is not a readable wheel: {e}")
        raise


def requirements(tf_wheel: str) -> None:
    z = open_wheel(tf_wheel)
    metadata = [n for n in z.namelist() if re.match(r"^[^/]+\.dist-info/METADATA$", n)]
    if not metadata:
        fail(f"{os.path.basename(tf_wheel)} has no .dist-info/METADATA")
    found = EXTRA.findall(z.read(metadata[0]).decode("utf-8", "replace"))
    if not found:
        fail(f"{os.path.basename(tf_wheel)} has no `and-cuda` extra: it is not a CUDA build of TensorFlow")
    for r in found:
        print(r.replace(" ", ""))


def unpack(dest: str, wheels: list) -> None:
    total = 0
    for w in wheels:
        z = open_wheel(w)
        libs = [n for n in z.namelist() if LIB.match(n)]
        for n in libs:
            extract(z, n, os.path.join(dest, n))
        total += len(libs)
    if total == 0:
        fail("none of the wheels has libraries under nvidia/*/lib/")
    print(f"{total} libraries from {len(wheels)} wheels")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "requirements":
        requirements(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "unpack":
        unpack(sys.argv[2], sys.argv[3:])
    else:
        fail("usage: cuda_wheels.py requirements TF_WHEEL | unpack DEST NVIDIA_WHEEL...")


if __name__ == "__main__":
    main()
