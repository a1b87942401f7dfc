"""Rewrites a fraction of a file's bytes in disjoint regions scattered over it, reproducibly.

usage: change_bytes.py FILE FRACTION REGIONS
"""
import os
import random
import sys

path, fraction, regions = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
size = os.path.getsize(path)
region = int(size * fraction) // regions
slot = size // regions  # one region at a random place inside each slot: scattered, disjoint
generator = random.Random(5)
with open(path, "r+b") as out:
    for index in range(regions):
        out.seek(index * slot + generator.randrange(slot - region))
        out.write(generator.randbytes(region))
print(f"   rewrote {regions} regions of {region} bytes ({regions * region} bytes)")
