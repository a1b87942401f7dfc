#!/usr/bin/env python3
"""Writes test vectors for mlv's decompressors with Python's own zlib, gzip, bz2 and lzma.

Usage: make_compressed_vectors.py OUT_DIR [FIXTURE_FILE]

OUT_DIR receives the original data sets (data_*.bin), their compressed forms, and manifest.tsv:
one line per compressed file, "<compressed file>\t<original file>\t<kind>", kind being a
compression name of mlv (zlib, gzip, bz2, xz, lzma, joblib-zfile) or "deflate" for raw DEFLATE.
Files named unsupported_* are valid streams that use features mlv does not decode; they are not
in the manifest. Standard library, plus Debian's lz4 and zstd command-line tools for the lz4
frame and zstd vectors; every data set is generated from fixed seeds.
"""

import bz2
import gzip
import io
import lzma
import os
import random
import struct
import subprocess
import sys
import zlib


def text_like(seed, size):
    """Words from a small vocabulary: what a pickle's strings and repeated structure look like."""
    rng = random.Random(seed)
    words = [b"tree", b"node", b"feature", b"threshold", b"value", b"impurity", b"left",
             b"right", b"sklearn.tree._tree", b"numpy", b"float64", b"\x00\x01\x02", b"n_samples"]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + rng.choice([b" ", b"\n", b"\x94", b"K\x05"])
        if rng.random() < 0.05:
            out += rng.randbytes(rng.randint(1, 40))
    return bytes(out[:size])


def mixed(seed, size):
    """Incompressible stretches between repeats of far-back data: long distances, stored blocks."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        if out and rng.random() < 0.5:
            start = rng.randrange(len(out))
            out += out[start:start + rng.randint(10, 5000)]
        else:
            out += rng.randbytes(rng.randint(1, 3000))
    return bytes(out[:size])


def gzip_member(data, flags_fields, level=6):
    """A gzip member written field by field, to set FEXTRA, FNAME, FCOMMENT and FHCRC."""
    extra, name, comment, header_crc = flags_fields
    flags = (4 if extra is not None else 0) | (8 if name is not None else 0) | \
            (16 if comment is not None else 0) | (2 if header_crc else 0)
    header = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 1700000000) + b"\x00\xff"
    if extra is not None:
        header += struct.pack("<H", len(extra)) + extra
    if name is not None:
        header += name + b"\x00"
    if comment is not None:
        header += comment + b"\x00"
    if header_crc:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def deflate(data, level=6, wbits=15, strategy=zlib.Z_DEFAULT_STRATEGY, mem_level=8):
    compressor = zlib.compressobj(level, zlib.DEFLATED, wbits, mem_level, strategy)
    return compressor.compress(data) + compressor.flush()


def tool(command, data):
    """The output of a compressor command-line tool given `data` on its standard input."""
    return subprocess.run(command, input=data, stdout=subprocess.PIPE, check=True).stdout


def main():
    out_dir = sys.argv[1]
    fixture = sys.argv[2] if len(sys.argv) > 2 else None
    data = {
        "empty": b"",
        "one": b"x",
        "text": text_like(1, 300_000),
        "random": random.Random(2).randbytes(1_100_000),
        "runs": (b"\x00" * 700_000 + b"ab" * 300_000 + bytes(range(256)) * 2000)[:2_000_000],
        "mixed": mixed(3, 400_000),
    }
    if fixture:
        with open(fixture, "rb") as f:
            data["fixture"] = f.read()
    manifest = []

    def emit(name, original, kind, compressed):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(compressed)
        manifest.append(f"{name}\tdata_{original}.bin\t{kind}")

    for key, value in data.items():
        with open(os.path.join(out_dir, f"data_{key}.bin"), "wb") as f:
            f.write(value)

    for key, value in data.items():
        # Incompressible data makes uncompressed chunks whatever the preset: take the fastest.
        preset = 0 if key == "random" else 6
        emit(f"{key}.zlib6", key, "zlib", zlib.compress(value, 6))
        emit(f"{key}.gz", key, "gzip", gzip.compress(value, mtime=0))
        emit(f"{key}.zfile", key, "joblib-zfile",
             b"ZF" + hex(len(value)).encode().ljust(19) + zlib.compress(value, 3))
        emit(f"{key}.bz2_9", key, "bz2", bz2.compress(value, 9))
        emit(f"{key}.xz", key, "xz", lzma.compress(value, check=lzma.CHECK_CRC64, preset=preset))
        emit(f"{key}.lzma", key, "lzma", lzma.compress(value, format=lzma.FORMAT_ALONE,
                                                       preset=preset))

    for key in ("empty", "one", "text", "mixed"):
        value = data[key]
        emit(f"{key}.zlib0", key, "zlib", zlib.compress(value, 0))  # stored blocks
        emit(f"{key}.zlib1", key, "zlib", zlib.compress(value, 1))
        emit(f"{key}.zlib9", key, "zlib", zlib.compress(value, 9))
        emit(f"{key}.zlib_fixed", key, "zlib", deflate(value, strategy=zlib.Z_FIXED))
        emit(f"{key}.zlib_huffman", key, "zlib", deflate(value, strategy=zlib.Z_HUFFMAN_ONLY))
        emit(f"{key}.zlib_rle", key, "zlib", deflate(value, strategy=zlib.Z_RLE))
        emit(f"{key}.zlib_window512", key, "zlib", deflate(value, wbits=9, mem_level=1))
        emit(f"{key}.deflate", key, "deflate", deflate(value, wbits=-15))
        emit(f"{key}.bz2_1", key, "bz2", bz2.compress(value, 1))
        emit(f"{key}.xz_crc32", key, "xz", lzma.compress(value, check=lzma.CHECK_CRC32, preset=1))
        emit(f"{key}.xz_sha256", key, "xz", lzma.compress(value, check=lzma.CHECK_SHA256, preset=1))
        emit(f"{key}.xz_none", key, "xz", lzma.compress(value, check=lzma.CHECK_NONE, preset=1))
        emit(f"{key}.xz_preset0", key, "xz", lzma.compress(value, preset=0))
        emit(f"{key}.xz_preset9e", key, "xz", lzma.compress(value, preset=9 | lzma.PRESET_EXTREME))
        # A small dictionary wraps around many times; other literal/position contexts.
        emit(f"{key}.xz_dict64k", key, "xz", lzma.compress(value, filters=[
            {"id": lzma.FILTER_LZMA2, "dict_size": 64 << 10, "lc": 1, "lp": 3, "pb": 0}]))
        emit(f"{key}.lzma_dict4k", key, "lzma", lzma.compress(value, format=lzma.FORMAT_ALONE,
             filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 4096, "lc": 0, "lp": 4, "pb": 4}]))
        emit(f"{key}.lzma_lc4", key, "lzma", lzma.compress(value, format=lzma.FORMAT_ALONE,
             filters=[{"id": lzma.FILTER_LZMA1, "lc": 4, "lp": 0, "pb": 1}]))
        # The .lzma header may state the size; the stream still closes with an end marker.
        alone = lzma.compress(value, format=lzma.FORMAT_ALONE, preset=1)
        emit(f"{key}.lzma_known_size", key, "lzma", alone[:5] + struct.pack("<Q", len(value)) + alone[13:])
        emit(f"{key}.gz_fields", key, "gzip", gzip_member(
            value, (b"AB\x02\x00hi", b"model.pkl", b"a comment", True)))
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="model.joblib", mode="wb", fileobj=buffer, mtime=0) as f:
            f.write(value)
        emit(f"{key}.gz_name", key, "gzip", buffer.getvalue())
        # Python's gzip discards the header CRC unchecked and ignores the reserved flag bits
        # (zlib refuses both): the loader reads this member, so mlv must see its bytes too.
        quirky = bytearray(gzip_member(value, (None, b"m.pkl", None, True)))
        quirky[3] |= 0xE0
        quirky[10 + len(b"m.pkl\x00")] ^= 0xFF
        assert gzip.decompress(bytes(quirky)) == value
        emit(f"{key}.gz_header_quirks", key, "gzip", bytes(quirky))

    # joblib's compress="lz4" writes the LZ4 frame format (lz4.frame), as the lz4 tool does.
    for key, value in data.items():
        emit(f"{key}.lz4", key, "lz4", tool(["lz4", "-q", "-c"], value))
        emit(f"{key}.zst", key, "zstd", tool(["zstd", "-q", "-c"], value))
    for key in ("text", "mixed"):
        value = data[key]
        emit(f"{key}.lz4_b64k_checked", key, "lz4",
             tool(["lz4", "-q", "-c", "-B4", "-BD", "--content-size", "-9"], value))
        emit(f"{key}.zst_19_checked", key, "zstd", tool(["zstd", "-q", "-c", "-19", "--check"], value))

    # Several members, streams and padding make one output.
    for key in ("one", "text", "mixed"):
        value = data[key]
        half = len(value) // 2
        first, second = value[:half], value[half:]
        emit(f"{key}.gz_members", key, "gzip",
             gzip.compress(first, mtime=0) + gzip.compress(second, mtime=0) + b"\x00" * 7)
        emit(f"{key}.bz2_streams", key, "bz2", bz2.compress(first) + bz2.compress(second))
        emit(f"{key}.xz_streams", key, "xz",
             lzma.compress(first, preset=1) + b"\x00" * 8 +
             lzma.compress(second, check=lzma.CHECK_CRC32, preset=1) +
             b"\x00" * 4)
        emit(f"{key}.lz4_streams", key, "lz4", tool(["lz4", "-q", "-c"], first) +
             tool(["lz4", "-q", "-c"], second))
        emit(f"{key}.zst_streams", key, "zstd", tool(["zstd", "-q", "-c"], first) +
             tool(["zstd", "-q", "-c"], second))

    with open(os.path.join(out_dir, "unsupported_bcj.xz"), "wb") as f:
        f.write(lzma.compress(data["text"], filters=[{"id": lzma.FILTER_X86},
                                                     {"id": lzma.FILTER_LZMA2}]))
    with open(os.path.join(out_dir, "manifest.tsv"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
