#!/usr/bin/env python3
"""Writes a PyTorch-style checkpoint (a state dict saved by torch.save) without torch.

The layout is the one torch.save (zip serialization, torch 2.1-2.3) produces, so that the
dedup benchmark sees what a real fine-tuned checkpoint looks like on disk:

  archive/data.pkl                pickle protocol 2 of an OrderedDict of tensors, each reduced to
                                  torch._utils._rebuild_tensor_v2 with a persistent storage id
  archive/byteorder               "little"
  archive/data/<key>              raw float32 storage bytes, keys in string order (0, 1, 10, ...)
  archive/version                 "3\\n"
  archive/.data/serialization_id  40 digits derived from the records' CRCs and sizes

Every member is STORED (not compressed); each local header carries an "FB" extra field padded
with 'Z' so that every record's data starts at a multiple of 64 bytes; DOS times are zero.

Usage: make_checkpoint.py OUT [--head-seed N] [--head-classes N]
The tensors hold trained-like float32 weights, normal(0, 0.02), each from its own fixed seed (so
compression sees what it sees in a real checkpoint: near-constant exponent bytes, random
mantissas); --head-seed changes only the last tensor (the "head"), as fine-tuning the last layer
of a frozen network would; --head-classes sets its rows (a classifier over the backbone's 1024
features: 128 by default, a 512 KiB head; 10, a 40 KiB one). Needs numpy (Debian's /usr/bin/python3 has it).
"""

import argparse
import collections
import io
import pickle
import struct
import sys
import types
import zlib

import numpy as np

ARCHIVE = "archive"
ALIGNMENT = 64
ELEMENT_SIZE = 4  # float32
WEIGHT_STD = 0.02  # trained-like weights: normal(0, 0.02)

# name -> shape; 20 tensors, about 80 MB, the head (last) 512 KiB.
SHAPES = collections.OrderedDict(
    [("embed.weight", (1024, 1024))]
    + [(f"layers.{i}.{part}", shape) for i in range(9)
       for part, shape in (("weight", (2048, 1024)), ("bias", (2048,)))]
    + [("head.weight", (128, 1024))]
)


def install_fake_torch():
    """Registers modules named torch and torch._utils so pickle writes the globals torch writes."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("not loadable without torch")

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"
    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch.FloatStorage = FloatStorage
    torch._utils = utils
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    sys.modules["torch"] = torch
    sys.modules["torch._utils"] = utils
    return FloatStorage, _rebuild_tensor_v2


FLOAT_STORAGE, REBUILD_TENSOR_V2 = install_fake_torch()


class StorageRef:
    def __init__(self, key, numel):
        self.key = key
        self.numel = numel


class TensorRef:
    """Pickles like a contiguous CPU float32 torch.Tensor."""

    def __init__(self, key, shape):
        self.shape = shape
        numel = 1
        for dim in shape:
            numel *= dim
        self.storage = StorageRef(key, numel)

    def __reduce_ex__(self, protocol):
        stride, step = [], 1
        for dim in reversed(self.shape):
            stride.insert(0, step)
            step *= dim
        return (REBUILD_TENSOR_V2,
                (self.storage, 0, tuple(self.shape), tuple(stride), False,
                 collections.OrderedDict()))


class StatePickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, StorageRef):
            return ("storage", FLOAT_STORAGE, obj.key, "cpu", obj.numel)
        return None


def set_head_classes(classes):
    SHAPES["head.weight"] = (classes, 1024)


def data_pkl():
    state = collections.OrderedDict()
    for index, (name, shape) in enumerate(SHAPES.items()):
        state[name] = TensorRef(str(index), shape)
    modules = [""] + sorted({name.rsplit(".", 1)[0] for name in SHAPES})
    state._metadata = collections.OrderedDict((m, {"version": 1}) for m in modules)
    buffer = io.BytesIO()
    StatePickler(buffer, protocol=2).dump(state)
    return buffer.getvalue()


def storages(head_seed):
    """Returns {key: bytes}: float32 weights, every tensor from its own seed, the head from
    head_seed."""
    result = {}
    last = len(SHAPES) - 1
    for index, shape in enumerate(SHAPES.values()):
        numel = 1
        for dim in shape:
            numel *= dim
        seed = 1_000_000 + head_seed if index == last else index
        weights = np.random.default_rng(seed).normal(0.0, WEIGHT_STD, numel)
        result[str(index)] = weights.astype("<f4").tobytes()
        assert len(result[str(index)]) == numel * ELEMENT_SIZE
    return result


class ZipWriter:
    """A minimal STORED zip writer with torch's 64-byte data alignment."""

    def __init__(self, out):
        self.out = out
        self.offset = 0
        self.entries = []

    def write_record(self, name, data):
        name_bytes = f"{ARCHIVE}/{name}".encode()
        start = self.offset + 30 + len(name_bytes) + 4  # header, name, FB extra header
        padding = (ALIGNMENT - start % ALIGNMENT) % ALIGNMENT
        extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
        crc = zlib.crc32(data) & 0xFFFFFFFF
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data),
                             len(data), len(name_bytes), len(extra))
        self.entries.append((name_bytes, crc, len(data), self.offset))
        for part in (header, name_bytes, extra, data):
            self.out.write(part)
            self.offset += len(part)

    def close(self):
        directory_start = self.offset
        for name_bytes, crc, size, local_offset in self.entries:
            central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc,
                                  size, size, len(name_bytes), 0, 0, 0, 0, 0, local_offset)
            self.out.write(central + name_bytes)
            self.offset += len(central) + len(name_bytes)
        directory_size = self.offset - directory_start
        self.out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.entries),
                                   len(self.entries), directory_size, directory_start, 0))


def serialization_id(entries):
    """40 digits from the records' CRCs and sizes, as torch derives it from what it wrote."""
    combined_hash, combined_size = 0, 0
    for _, crc, size, _ in entries:
        combined_hash = (combined_hash * 31 + crc) % 10**20
        combined_size = (combined_size + size) % 10**20
    return f"{combined_hash:020d}{combined_size:020d}".encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--head-seed", type=int, default=0)
    parser.add_argument("--head-classes", type=int, default=128)
    arguments = parser.parse_args()
    set_head_classes(arguments.head_classes)
    data = storages(arguments.head_seed)
    with open(arguments.out, "wb") as out:
        writer = ZipWriter(out)
        writer.write_record("data.pkl", data_pkl())
        writer.write_record("byteorder", b"little")
        for key in sorted(data):
            writer.write_record(f"data/{key}", data[key])
        writer.write_record("version", b"3\n")
        writer.write_record(".data/serialization_id", serialization_id(writer.entries))
        writer.close()


if __name__ == "__main__":
    main()
