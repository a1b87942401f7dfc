#!/usr/bin/python3
"""Random mlv workflows across two clones that share a git origin and a local-folder remote.

Driven by test_property_workflows.sh. Each step is one user action (add, modify, commit, push,
pull, checkout, gc, or a kill -9 of an add, push or pull in the middle) in one clone, chosen by a
seeded random generator. After every step, in both clones, every tracked workspace file must hold
either its pointer's bytes or the bytes it legitimately held before (what the user wrote or mlv
last put there): never anything else, whatever the commands reported. After a command that
reported success, the files it is responsible for must hold exactly their pointer's bytes. At the
end every commit whose data a push reported as uploaded pulls byte for byte into a fresh clone.

Usage: property_workflows.py ROOT   (environment: MLV, MLV_PROPERTY_SEED, MLV_PROPERTY_STEPS,
MLV_PROPERTY_RESTRICT: names of guarantees not asserted yet, see RESTRICTIONS)
"""

import hashlib
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time

MLV = os.environ["MLV"]

# Guarantees that can be switched off by name (MLV_PROPERTY_RESTRICT) while a defect is open.
RESTRICTIONS = {
    # no `.NAME.tmp-*` / `.NAME.mlv-tmp-*` file stays in the workspace once a checkout, pull or
    # status has run after a kill -9 (which no process can clean up after itself)
    "workspace_temporaries",
    # commands that have no reason to fail succeed: add, commit, push, gc, status; pull and
    # checkout fail only with 9 (unsaved work kept) or 6 (data not fetched yet)
    "liveness",
    # kill -9 steps (of add, push, pull)
    "kill",
    # gc steps
    "gc",
    # a pull that exits 6 (some data pushed by nobody) still checks out every file whose data
    # is available
    "partial_pull",
    # forget_push steps (a commit shared through git whose data was never pushed)
    "forget_push",
}

# Commands that remove the temporaries a killed command left beside tracked files.
SWEEPING_COMMANDS = ("checkout", "pull", "status")

SMALL_SIZES = (20_000, 400_000)  # bytes of an ordinary model version
BIG_SIZES = (24 << 20, 40 << 20)  # big enough that a kill -9 lands mid-operation
KILL_DELAY = (0.02, 0.35)  # seconds after the start of the command
PATHS_PER_CLONE = 3

# Step kinds and their weights.
STEPS = [
    ("add", 5),
    ("modify", 2),
    ("commit", 2),
    ("push", 4),
    ("pull", 4),
    ("checkout", 3),
    ("gc", 1),
    ("forget_push", 1),
    ("kill_add", 1),
    ("kill_push", 1),
    ("kill_pull", 1),
]


class PropertyFailure(Exception):
    pass


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except FileNotFoundError:
        return None


def read_pointer(path):
    """The fields of a pointer file that the check needs (block YAML as mlv writes it)."""
    fields = {}
    with open(path) as f:
        for line in f:
            match = re.match(r"^(path|kind|sha256):\s*['\"]?([^'\"\n]*)['\"]?\s*$", line)
            if match:
                fields[match.group(1)] = match.group(2)
    return fields


class Clone:
    def __init__(self, world, name, root, own_dir):
        self.world = world
        self.name = name
        self.root = root
        self.own_dir = own_dir  # the folder only this clone adds to (no git merge conflicts)
        self.paths = [f"{own_dir}/m{i}.bin" for i in range(PATHS_PER_CLONE)]
        self.folder = f"{own_dir}/ckpt"  # a tracked folder (kind: dir)
        # path -> sha256 of bytes the workspace file may legitimately hold besides its pointer's
        self.legit = {}
        # a kill -9 landed and no command that sweeps temporaries has run since
        self.unswept = False

    def mlv(self, *args, check_ok=False, ok_codes=(0,)):
        result = self.world.run([MLV, *args], self, check_ok=check_ok, ok_codes=ok_codes)
        if args and args[0] in SWEEPING_COMMANDS:
            self.unswept = False
        return result

    def git(self, *args, check_ok=True):
        return self.world.run(["git", *args], self, check_ok=check_ok)

    def write(self, path, size):
        data = self.world.rng.randbytes(size)
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.exists(full):
            os.chmod(full, 0o644)
            os.unlink(full)  # a hard- or sym-linked checkout must not change the cache's copy
        with open(full, "wb") as f:
            f.write(data)
        self.legit[path] = sha256_bytes(data)
        self.world.log(f"  [{self.name}] wrote {path}: {size} bytes, sha256 {self.legit[path][:12]}")
        return self.legit[path]

    def write_folder(self, path):
        """New content for a tracked folder: a few small files, some in a subfolder."""
        full = os.path.join(self.root, path)
        if os.path.isdir(full):
            for where, _, names in os.walk(full):
                for name in names:
                    os.chmod(os.path.join(where, name), 0o644)
            subprocess.run(["rm", "-rf", full], check=True)
        for i in range(self.world.rng.randint(1, 5)):
            member = f"{path}/{'sub/' if i % 2 else ''}w{i}.bin"
            self.write(member, self.world.rng.randint(1_000, 60_000))

    def listing(self, dir_id):
        """A dir listing's files (relative path -> id), from this clone's cache or the remote."""
        for base in (os.path.join(self.root, ".mlv", "cache"), self.world.remote):
            try:
                with open(os.path.join(base, "dirs", dir_id[:2], dir_id)) as f:
                    lines = f.read().splitlines()[1:]  # after the format line
            except FileNotFoundError:
                continue
            return {line.split(" ", 3)[3]: line.split(" ", 3)[0] for line in lines}
        return None

    def top_pointers(self):
        """data path -> pointer fields, for every pointer file in the work tree."""
        found = {}
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if d not in (".git", ".mlv")]
            for name in files:
                if name.endswith(".mlv"):
                    fields = read_pointer(os.path.join(folder, name))
                    rel_folder = os.path.relpath(folder, self.root)
                    found[os.path.normpath(os.path.join(rel_folder, fields["path"]))] = fields
        return found

    def pointers(self):
        """data path -> {"sha256"}, for every tracked file in the work tree: each file pointer's,
        and each file of a folder pointer whose listing is at hand."""
        found = {}
        for data, fields in self.top_pointers().items():
            if fields.get("kind") == "file":
                found[data] = fields
            elif fields.get("kind") == "dir":
                for member, member_id in (self.listing(fields["sha256"]) or {}).items():
                    found[f"{data}/{member}"] = {"sha256": member_id}
        return found

    def in_cache(self, fields):
        kind = "files" if fields.get("kind") == "file" else "dirs"
        object_id = fields["sha256"]
        return os.path.exists(os.path.join(self.root, ".mlv", "cache", kind, object_id[:2], object_id))

    def on_remote(self, fields):
        kind = "manifests" if fields.get("kind") == "file" else "dirs"
        object_id = fields["sha256"]
        return os.path.exists(os.path.join(self.world.remote, kind, object_id[:2], object_id))

    def nowhere(self):
        """Pointers whose data neither this cache nor the remote holds (a teammate forgot to push)."""
        return sorted(p for p, f in self.top_pointers().items() if not self.in_cache(f) and not self.on_remote(f))

    def commit(self, message):
        """Stages this clone's pointers and .gitignore (never a stray temporary) and commits."""
        own = os.path.join(self.root, self.own_dir)
        if os.path.isdir(own):
            names = [
                os.path.join(self.own_dir, n)
                for n in os.listdir(own)
                if n.endswith(".mlv") or n == ".gitignore"
            ]
            if names:
                self.git("add", "--", *names)
        code, _, _ = self.git("diff", "--cached", "--quiet", check_ok=False)
        if code != 0:
            self.git("commit", "-q", "-m", message)
            return True
        return False

    def head(self):
        return self.git("rev-parse", "HEAD")[1].strip()


class World:
    def __init__(self, root, seed, steps, restricted):
        self.root = root
        self.seed = seed
        self.steps = steps
        self.restricted = restricted
        self.rng = random.Random(seed)
        self.lines = []
        self.step_no = 0
        self.pushed = []  # commits whose data a push reported uploaded, in order
        self.notes = []
        self.remote = os.path.join(root, "remote")
        self.origin = os.path.join(root, "origin.git")
        self.clones = []

    # --- running and logging -----------------------------------------------------------------

    def log(self, line):
        self.lines.append(line)
        if os.environ.get("MLV_PROPERTY_VERBOSE"):
            print(line, flush=True)

    def run(self, argv, clone, check_ok=False, ok_codes=(0,)):
        where = clone.root if clone else self.root
        shown = " ".join(shlex.quote(a if a != MLV else "mlv") for a in argv)
        started = time.monotonic()
        done = subprocess.run(argv, cwd=where, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        took = time.monotonic() - started
        self.log(f"  [{clone.name if clone else '-'}] $ {shown}  -> exit {done.returncode} ({took:.2f} s)")
        if check_ok and done.returncode not in ok_codes:
            self.fail(
                f"`{shown}` in {where} exited {done.returncode}:\n{done.stdout}{done.stderr}",
                guarantee="liveness" if argv[0] == MLV else None,
            )
        return done.returncode, done.stdout, done.stderr

    def fail(self, message, guarantee=None):
        if guarantee and guarantee in self.restricted:
            self.notes.append(f"step {self.step_no} (restricted '{guarantee}'): {message.splitlines()[0]}")
            self.log(f"  NOTE restricted '{guarantee}': {message}")
            return
        raise PropertyFailure(message)

    def expect(self, clone, code, allowed, what):
        if code not in allowed:
            self.fail(f"[{clone.name}] {what} exited {code}, expected one of {sorted(allowed)}", "liveness")

    # --- setup ---------------------------------------------------------------------------------

    def setup(self):
        seed_repo = os.path.join(self.root, "seed")
        os.makedirs(self.remote)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", self.origin], check=True)
        subprocess.run(["git", "init", "-q", "-b", "main", seed_repo], check=True)
        for argv in (
            [MLV, "init"],
            [MLV, "remote", "add", "origin", self.remote, "--default"],
            ["git", "add", "-A"],
            ["git", "commit", "-q", "-m", "mlv with a folder remote"],
            ["git", "push", "-q", self.origin, "main"],
        ):
            subprocess.run(argv, cwd=seed_repo, check=True, stdout=subprocess.DEVNULL)
        for name, own in (("A", "a"), ("B", "b")):
            path = os.path.join(self.root, f"clone-{name}")
            subprocess.run(["git", "clone", "-q", self.origin, path], check=True)
            self.clones.append(Clone(self, name, path, own))

    # --- the invariant -------------------------------------------------------------------------

    def check(self, strict=None):
        """`strict`: (clone, paths) whose files a successful command promised to put in place."""
        for clone in self.clones:
            for path, fields in clone.pointers().items():
                actual = sha256_file(os.path.join(clone.root, path))
                expected = fields.get("sha256")
                must_match = (
                    strict is not None
                    and strict[0] is clone
                    and (strict[1] is None or any(path == p or path.startswith(p + "/") for p in strict[1]))
                )
                if must_match and actual != expected:
                    self.fail(
                        f"[{clone.name}] {path}: holds {actual} after a command that reported "
                        f"success, but its pointer says {expected}"
                    )
                if actual is not None and actual != expected and actual != clone.legit.get(path):
                    self.fail(
                        f"[{clone.name}] {path}: holds bytes {actual} that are neither its "
                        f"pointer's ({expected}) nor what it held before ({clone.legit.get(path)})"
                    )
                if actual is not None:
                    clone.legit[path] = actual
            self.check_temporaries(clone)

    def check_temporaries(self, clone):
        if clone.unswept:
            return
        strays = []
        for folder, dirs, files in os.walk(clone.root):
            dirs[:] = [d for d in dirs if d not in (".git", ".mlv")]
            strays += [
                os.path.relpath(os.path.join(folder, n), clone.root)
                for n in files
                if re.match(r"^\..*\.(tmp|mlv-tmp)-", n)
            ]
        if strays:
            self.fail(f"[{clone.name}] temporaries left in the workspace: {strays}", "workspace_temporaries")
            for stray in strays:  # as a user would, so later steps see a clean workspace
                os.unlink(os.path.join(clone.root, stray))

    # --- steps -------------------------------------------------------------------------------

    def other(self, clone):
        return self.clones[1] if clone is self.clones[0] else self.clones[0]

    def step_add(self, clone, size=None):
        if size is None and self.rng.random() < 0.35:
            path = clone.folder
            clone.write_folder(path)
        else:
            path = self.rng.choice(clone.paths)
            clone.write(path, size or self.rng.randint(*SMALL_SIZES))
        code, _, _ = clone.mlv("add", path)
        self.expect(clone, code, {0}, f"mlv add {path}")
        return (clone, {path}) if code == 0 else None

    def step_modify(self, clone):
        tracked = [p for p in clone.pointers() if p.startswith(clone.own_dir + "/")]
        if not tracked:
            return self.step_add(clone)
        clone.write(self.rng.choice(sorted(tracked)), self.rng.randint(*SMALL_SIZES))
        return None

    def step_commit(self, clone):
        clone.commit(f"step {self.step_no}")
        return None

    def sync_git(self, clone):
        """Commits, then merges what the other clone pushed (disjoint folders: no conflicts)."""
        clone.commit(f"step {self.step_no}")
        clone.git("pull", "-q", "--no-rebase", "--no-edit", "origin", "main")

    def step_push(self, clone):
        self.sync_git(clone)
        # Push succeeds unless some pointer's data is nowhere (then exit 6 before sending).
        nowhere = clone.nowhere()
        code, _, _ = clone.mlv("push")
        self.expect(clone, code, {6} if nowhere else {0}, f"mlv push (data nowhere: {nowhere})")
        if code == 0:
            clone.git("push", "-q", "origin", "HEAD:main")
            self.pushed.append(clone.head())
        return None

    def step_forget_push(self, clone):
        """A commit shared through git whose data was never pushed."""
        self.step_add(clone)
        self.sync_git(clone)
        clone.git("push", "-q", "origin", "HEAD:main")
        return None

    def check_partial(self, clone, available, what):
        """After an exit 6, every file whose data was at hand is in place: none is left absent."""
        for data, fields in clone.top_pointers().items():
            if fields.get("kind") != "file" or not available(fields):
                continue
            if not os.path.exists(os.path.join(clone.root, data)):
                self.fail(f"[{clone.name}] {what} exited 6 but left {data} absent, although its "
                          "data was available", "partial_pull" if what == "mlv pull" else None)

    def step_pull(self, clone):
        self.sync_git(clone)
        code, _, _ = clone.mlv("pull")
        self.expect(clone, code, {0, 6, 9}, "mlv pull")
        if code == 6:
            self.check_partial(clone, lambda f: clone.in_cache(f) or clone.on_remote(f), "mlv pull")
        return (clone, None) if code == 0 else None

    def step_checkout(self, clone):
        pointers = clone.pointers()
        roll = self.rng.random()
        if roll < 0.3 and pointers:
            # The user deleted a file.
            path = self.rng.choice(sorted(pointers))
            full = os.path.join(clone.root, path)
            if os.path.exists(full):
                os.chmod(full, 0o644)
                os.unlink(full)
                self.log(f"  [{clone.name}] deleted {path}")
        elif roll < 0.55:
            # Back to an older version of this clone's models.
            # Only to a pushed commit: an older unpushed version may be gone by a `gc -f`, which
            # keeps branch tips, not history.
            commits = clone.git("rev-list", "--max-count=30", "HEAD")[1].split()
            pushed = [c for c in commits[1:] if c in self.pushed]
            if pushed:
                # (a commit from before this clone's first model has no such folder: no-op)
                clone.git("checkout", "-q", self.rng.choice(pushed), "--", clone.own_dir,
                          check_ok=False)
        code, _, _ = clone.mlv("checkout")
        self.expect(clone, code, {0, 6, 9}, "mlv checkout")
        if code == 6:
            self.check_partial(clone, clone.in_cache, "mlv checkout")
        return (clone, None) if code == 0 else None

    def step_gc(self, clone):
        code, _, _ = clone.mlv("gc", "-f")
        self.expect(clone, code, {0}, "mlv gc -f")
        return None

    def kill_midway(self, clone, *args):
        delay = self.rng.uniform(*KILL_DELAY)
        shown = " ".join(args)
        process = subprocess.Popen(
            [MLV, *args], cwd=clone.root, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        landed = code == -signal.SIGKILL
        clone.unswept = clone.unswept or landed
        self.log(f"  [{clone.name}] $ mlv {shown} & kill -9 after {delay:.3f} s -> "
                 + ("killed" if landed else f"had already exited {code}"))
        lock = os.path.join(clone.root, ".git", "index.lock")
        if os.path.exists(lock):
            # git's own answer to a process killed while writing the index: remove the lock.
            os.unlink(lock)
            self.notes.append(f"step {self.step_no}: kill -9 of `mlv {shown}` left .git/index.lock")
        return code

    def step_kill_add(self, clone):
        path = self.rng.choice(clone.paths)
        clone.write(path, self.rng.randint(*BIG_SIZES))
        self.kill_midway(clone, "add", path)
        return None

    def step_kill_push(self, clone):
        if self.step_add(clone, self.rng.randint(*BIG_SIZES)) is None:
            return None
        self.sync_git(clone)
        self.kill_midway(clone, "push")
        return None

    def step_kill_pull(self, clone):
        other = self.other(clone)
        if self.step_add(other, self.rng.randint(*BIG_SIZES)) is None:
            return None
        self.step_push(other)
        self.sync_git(clone)
        self.kill_midway(clone, "pull")
        return None

    # --- the run -------------------------------------------------------------------------------

    def choose(self):
        kinds = [
            (kind, weight) for kind, weight in STEPS
            if not (kind.startswith("kill") and "kill" in self.restricted)
            and not (kind in ("gc", "forget_push") and kind in self.restricted)
        ]
        return self.rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]

    def play(self):
        self.setup()
        for self.step_no in range(1, self.steps + 1):
            kind = self.choose()
            clone = self.rng.choice(self.clones)
            self.log(f"step {self.step_no}: {kind} in clone {clone.name}")
            strict = getattr(self, f"step_{kind}")(clone)
            self.check(strict)
        self.finish()

    def finish(self):
        self.step_no = "final"
        self.log("final: status in each clone, cache objects, remote packs, pushed commits")
        for clone in self.clones:
            code, _, _ = clone.mlv("status")
            self.expect(clone, code, {0}, "mlv status")
            self.check_named_by_content(os.path.join(clone.root, ".mlv", "cache", "files"))
        self.check_named_by_content(os.path.join(self.remote, "packs"))
        fresh = Clone(self, "fresh", os.path.join(self.root, "fresh"), "none")
        subprocess.run(["git", "clone", "-q", self.origin, fresh.root], check=True)
        for commit in dict.fromkeys(self.pushed):
            fresh.git("checkout", "-q", "--force", commit)
            code, _, _ = fresh.mlv("fetch", "--rev", commit)
            if code != 0:
                self.fail(f"commit {commit}: `mlv fetch --rev {commit}` exited {code} in a fresh clone")
            code, _, _ = fresh.mlv("pull")
            if code != 0:
                self.fail(f"commit {commit}: `mlv pull` exited {code} in a fresh clone")
            for path, fields in fresh.pointers().items():
                actual = sha256_file(os.path.join(fresh.root, path))
                if actual != fields["sha256"]:
                    self.fail(f"commit {commit}: {path} pulled as {actual}, pointer says {fields['sha256']}")

    def check_named_by_content(self, folder):
        for where, _, names in os.walk(folder):
            for name in names:
                if re.fullmatch(r"[0-9a-f]{64}", name):
                    actual = sha256_file(os.path.join(where, name))
                    if actual != name:
                        self.fail(f"{os.path.join(where, name)} holds bytes whose sha256 is {actual}")


def main():
    root = sys.argv[1]
    seed = int(os.environ.get("MLV_PROPERTY_SEED") or random.SystemRandom().randrange(1 << 32))
    steps = int(os.environ.get("MLV_PROPERTY_STEPS") or 40)
    restricted = set(os.environ.get("MLV_PROPERTY_RESTRICT", "").split())
    unknown = restricted - RESTRICTIONS
    if unknown:
        print(f"unknown MLV_PROPERTY_RESTRICT names {sorted(unknown)}; known: {sorted(RESTRICTIONS)}")
        return 2
    print(f"property test: MLV_PROPERTY_SEED={seed} MLV_PROPERTY_STEPS={steps} "
          f"MLV_PROPERTY_RESTRICT='{' '.join(sorted(restricted))}'", flush=True)
    world = World(root, seed, steps, restricted)
    started = time.monotonic()
    try:
        world.play()
    except PropertyFailure as failure:
        print("\n".join(world.lines[-60:]))
        print(f"\nFAILED at step {world.step_no} (MLV_PROPERTY_SEED={seed}): {failure}")
        print(f"reproduce: MLV_PROPERTY_SEED={seed} MLV_PROPERTY_STEPS={steps} "
              "MLV_PROPERTY_VERBOSE=1 bash tests/integration/test_property_workflows.sh "
              "(kill -9 timing varies)")
        return 1
    for note in world.notes:
        print(f"note: {note}")
    print(f"property test: {steps} steps, {len(dict.fromkeys(world.pushed))} pushed commits "
          f"verified, in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
