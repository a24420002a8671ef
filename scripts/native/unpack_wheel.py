#!/usr/bin/env python3
"""Unpacks what tfjs-node's addon needs from a TensorFlow wheel (a zip file), nothing more.

usage: unpack_wheel.py WHEEL DEST BINDING_DIR

DEST/lib gets the wheel's top-level TensorFlow shared libraries (tensorflow/lib*.so*, e.g.
libtensorflow_cc.so.2 and libtensorflow_framework.so.2; older wheels keep the C API in
tensorflow/python/_pywrap_tensorflow_internal.so, which is taken too when present). DEST/include gets
the headers that BINDING_DIR/*.cc and *.h include from "tensorflow/...", with everything those
headers include in turn (followed inside the wheel's tensorflow/include folder). Writes to DEST only;
exits 1 with a one-line reason when the wheel lacks the libraries or a header.
"""
import os
import re
import sys
import zipfile

INCLUDE_ROOT = "tensorflow/include/"
QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
LIB = re.compile(r"^tensorflow/(lib[^/]*\.so[.0-9]*|python/_pywrap_tensorflow_internal\.so)$")


def fail(msg: str) -> None:
    print(f"unpack_wheel: {msg}", file=sys.stderr)
    sys.exit(1)


def binding_includes(binding_dir: str) -> set:
    found = set()
    for name in sorted(os.listdir(binding_dir)):
        if name.endswith((".cc", ".h")):
            with open(os.path.join(binding_dir, name), encoding="utf-8") as f:
                found.update(i for i in QUOTED.findall(f.read()) if "/" in i)
    return found


def header_closure(z: zipfile.ZipFile, roots: set) -> list:
    names = set(z.namelist())
    todo, seen = sorted(roots), set()
    while todo:
        h = todo.pop()
        if h in seen:
            continue
        if INCLUDE_ROOT + h not in names:
            fail(f"the wheel has no header {h} (looked in {INCLUDE_ROOT})")
        seen.add(h)
        text = z.read(INCLUDE_ROOT + h).decode("utf-8", "replace")
        todo.extend(i for i in QUOTED.findall(text) if INCLUDE_ROOT + i in names and i not in seen)
    return sorted(seen)


def extract(z: zipfile.ZipFile, member: str, dest: str) -> None:
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(member) as src, open(dest, "wb") as out:
        while True:
            chunk = src.read(1 << 22)
            if not chunk:
                break
            out.write(chunk)


def main() -> None:
    if len(sys.argv) != 4:
        fail("usage: unpack_wheel.py WHEEL DEST BINDING_DIR")
    wheel, dest, binding_dir = sys.argv[1:]
    try:
        z = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as e:
        fail(f"{wheel} is not a readable wheel: {e}")
    libs = [n for n in z.namelist() if LIB.match(n)]
    if not any(os.path.basename(n).startswith("libtensorflow_framework") for n in libs):
        fail(f"{os.path.basename(wheel)} has no tensorflow/libtensorflow_framework.so*; is it a Linux TensorFlow wheel?")
    headers = header_closure(z, binding_includes(binding_dir))
    for n in libs:
        extract(z, n, os.path.join(dest, "lib", os.path.basename(n)))
    for h in headers:
        extract(z, INCLUDE_ROOT + h, os.path.join(dest, "include", h))
    print(f"{len(libs)} libraries, {len(headers)} headers")


if __name__ == "__main__":
    main()
