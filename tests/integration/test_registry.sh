#!/usr/bin/env bash
# The model registry: versions and stages as annotated git tags that plain git shows, promotion
# and roll-back changing what `mlv get --model --stage` writes, a CI clone that knows the model
# only through tags, examples/ci-deploy-by-stage.yml's steps, and the errors with their codes.
source "$(dirname "$0")/lib.sh"

# --- a project with two trained versions of a classifier, pushed to a folder remote ----------
new_repo project
add_local_remote storage
mkdir -p models
make_random_file models/classifier.onnx 400000
assert_ok mlv add models/classifier.onnx --metric accuracy=0.91
commit_all "Classifier v1"
assert_ok mlv push
v1=$(sha256_of models/classifier.onnx)
v1_commit=$(git rev-parse HEAD)

assert_ok mlv model register classifier 1.0.0 --path models/classifier.onnx -m "First release"
assert_contains "$stdout" "registered classifier 1.0.0: models/classifier.onnx"
assert_contains "$stderr" "git push origin classifier@1.0.0"

make_random_file models/classifier.onnx 420000
assert_ok mlv add models/classifier.onnx --metric accuracy=0.94
commit_all "Classifier v2"
assert_ok mlv push
v2=$(sha256_of models/classifier.onnx)
# A later version defaults to the last version's path; a leading v is accepted.
assert_ok mlv model register classifier v1.1.0 -m "Better recall"

# Plain git sees annotated tags whose message carries the record.
assert_eq "$(git tag -l 'classifier@*' | tr '\n' ' ')" "classifier@1.0.0 classifier@1.1.0 "
assert_eq "$(git cat-file -t classifier@1.0.0)" tag
assert_eq "$(git rev-parse 'classifier@1.0.0^{commit}')" "$v1_commit"
shown=$(git show --no-patch classifier@1.1.0)
assert_contains "$shown" "Tagger: mlv test <test@example.invalid>"
assert_contains "$shown" "Register classifier 1.1.0: models/classifier.onnx"
assert_contains "$shown" "mlv-registry: 1"
assert_contains "$shown" "path: models/classifier.onnx"
assert_contains "$shown" "sha256: $v2"
assert_contains "$shown" "size: 420000"
assert_contains "$shown" 'message: "Better recall"'

# --- stages: promote, promote again (no new tag), list, show ---------------------------------
assert_ok mlv model promote classifier 1.0.0 production
assert_contains "$stdout" "classifier 1.0.0 is now in production (tag classifier#production#1)"
assert_ok mlv model promote classifier 1.1.0 staging
assert_ok mlv model promote classifier 1.1.0 staging
assert_contains "$stdout" "already in staging"
assert_eq "$(git tag -l 'classifier#*' | tr '\n' ' ')" "classifier#production#1 classifier#staging#1 "
assert_contains "$(git show --no-patch 'classifier#production#1')" "Promote classifier 1.0.0 to production"

assert_ok mlv model list
assert_line_with "$stdout" "classifier" "1.1.0" "2" "production=1.0.0 staging=1.1.0"
assert_ok mlv model list --json
assert_eq "$(json_get "$stdout" 'd[0]["versions"]')" '["1.0.0", "1.1.0"]'
assert_eq "$(json_get "$stdout" 'd[0]["stages"]')" '{"production": "1.0.0", "staging": "1.1.0"}'

# --- share with a hub, deploy from a CI clone by stage -----------------------------------------
git init -q --bare "$TEST_ROOT/hub.git"
git remote add origin "$TEST_ROOT/hub.git"
git push -q origin main
git push -q --tags origin
git clone -q "$TEST_ROOT/hub.git" "$TEST_ROOT/ci"
cd "$TEST_ROOT/ci"
assert_ok mlv get . --model classifier --stage production -o "$TEST_ROOT/out/p1.onnx"
assert_sha256 "$TEST_ROOT/out/p1.onnx" "$v1"
assert_ok mlv get --model classifier --version 1.1.0 -o "$TEST_ROOT/out/v110.onnx"
assert_sha256 "$TEST_ROOT/out/v110.onnx" "$v2"
assert_ok mlv get "$TEST_ROOT/ci" --model classifier --stage staging -o "$TEST_ROOT/out/s1.onnx" --json
assert_eq "$(json_get "$stdout" 'd["sha256"]')" "$v2"

# The release owner promotes 1.1.0 to production, then rolls back: each time CI gets what the
# latest assignment names.
cd "$TEST_ROOT/project"
assert_ok mlv model promote classifier 1.1.0 production -m "Ship v1.1"
git push -q --tags origin
cd "$TEST_ROOT/ci"
git fetch -q --tags
assert_ok mlv get . --model classifier --stage production -o "$TEST_ROOT/out/p2.onnx"
assert_sha256 "$TEST_ROOT/out/p2.onnx" "$v2"

cd "$TEST_ROOT/project"
assert_ok mlv model promote classifier 1.0.0 production -m "Roll back: latency"
assert_contains "$stdout" "(tag classifier#production#3)"
git push -q --tags origin
cd "$TEST_ROOT/ci"
git fetch -q --tags
assert_ok mlv get . --model classifier --stage production -o "$TEST_ROOT/out/p3.onnx"
assert_sha256 "$TEST_ROOT/out/p3.onnx" "$v1"

assert_ok mlv model show classifier
assert_line_with "$stdout" "1.0.0" "${v1_commit:0:12}" "models/classifier.onnx" "production" "First release"
assert_line_with "$stdout" "classifier#production#3" "1.0.0" "Roll back: latency"
assert_ok mlv model show classifier --json
json=$stdout
assert_eq "$(json_get "$json" '[v["version"] for v in d["versions"]]')" '["1.0.0", "1.1.0"]'
assert_eq "$(json_get "$json" 'd["stages"]["production"]["tag"]')" "classifier#production#3"
assert_eq "$(json_get "$json" 'd["stages"]["production"]["sha256"]')" "$v1"
assert_eq "$(json_get "$json" '[h["tag"] for h in d["history"] if h["stage"] == "production"]')" \
  '["classifier#production#1", "classifier#production#2", "classifier#production#3"]'

# --- a version registered on a branch that only its tag was pushed for ---------------------
cd "$TEST_ROOT/project"
git checkout -q -b candidate
make_random_file models/classifier.onnx 410000
assert_ok mlv add models/classifier.onnx --metric accuracy=0.95
commit_all "Candidate"
assert_ok mlv push
v3=$(sha256_of models/classifier.onnx)
assert_ok mlv model register classifier 2.0.0-rc.1
git push -q origin 'classifier@2.0.0-rc.1'
git checkout -q main
cd "$TEST_ROOT"
git clone -q "$TEST_ROOT/hub.git" tags-only
cd tags-only
[[ -z "$(git branch -r --contains 'classifier@2.0.0-rc.1' 2>/dev/null)" ]] ||
  fail "the candidate commit should be known only through its tag"
assert_ok mlv get . --model classifier --version 2.0.0-rc.1 -o "$TEST_ROOT/out/rc.onnx"
assert_sha256 "$TEST_ROOT/out/rc.onnx" "$v3"

# --- examples/ci-deploy-by-stage.yml: its steps' commands, run in a fresh clone ---------------
git clone -q "$TEST_ROOT/hub.git" "$TEST_ROOT/runner"
mkdir -p "$TEST_ROOT/bin"
ln -s "$MLV" "$TEST_ROOT/bin/mlv"
workflow="$LIB_DIR/../../examples/ci-deploy-by-stage.yml"
# Prints the `run: |` block of the step named $2, dedented.
step_script() {
  python3 - "$1" "$2" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
name, script, in_step, run_indent = sys.argv[2], [], False, None
for line in lines:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip())
    if stripped.startswith("- name: "):
        if in_step and run_indent is not None:
            break
        in_step = stripped[len("- name: "):] == name
        continue
    if not in_step:
        continue
    if run_indent is None:
        if stripped == "run: |":
            run_indent = indent
        continue
    if stripped and indent <= run_indent:
        break
    script.append(line)
if not script:
    sys.exit("no run block for step " + name)
cut = min(len(l) - len(l.lstrip()) for l in script if l.strip())
print("\n".join(l[cut:] for l in script))
PY
}
cd "$TEST_ROOT/runner"
for step in "Show what production runs" "Fetch the production model, verified" \
  "Check it against the registry record" "Deploy"; do
  script=$(step_script "$workflow" "$step") || fail "examples/ci-deploy-by-stage.yml: step '$step' not found"
  run env PATH="$TEST_ROOT/bin:$PATH" bash -euo pipefail -c "$script"
  [[ $status == 0 ]] || fail "workflow step '$step' exited $status"$'\n'"$(last_output)"
done
assert_sha256 deploy/classifier.onnx "$v1"
assert_eq "$(cat deploy/VERSION)" 1.0.0

# --- errors and exit codes ---------------------------------------------------------------------
cd "$TEST_ROOT/project"
tags_before=$(git tag -l | sort)
assert_exit 9 mlv model register classifier 1.0.0
assert_contains "$stderr" "already registered"
assert_exit 9 mlv model register classifier 1.0.0+rebuild
assert_exit 4 mlv model register classifier 1.2
assert_contains "$stderr" "'1.2' is not a semantic version"
assert_exit 4 mlv model register classifier 01.2.0
assert_exit 6 mlv model register classifier 3.0.0 --path models/none.onnx
assert_contains "$stderr" "models/none.onnx.mlv"
assert_exit 6 mlv model register classifier 3.0.0 --rev "$v1_commit~0" --path models/new-model.bin
assert_exit 4 mlv model register detector 1.0.0
assert_contains "$stderr" "--path"
assert_exit 4 mlv model register 'bad#name' 1.0.0 --path models/classifier.onnx
assert_exit 4 mlv model register 'team/../x' 1.0.0 --path models/classifier.onnx
assert_exit 4 mlv model register classifier 3.0.0 --rev no-such-branch
assert_exit 6 mlv model promote classifier 9.9.9 production
assert_contains "$stderr" "not registered"
assert_exit 4 mlv model promote classifier 1.0.0 Production
assert_exit 6 mlv model show nosuch
assert_exit 6 mlv get . --model classifier --stage canary -o "$TEST_ROOT/out/x.onnx"
assert_contains "$stderr" "no version in stage 'canary'"
assert_contains "$stderr" "git fetch --tags"
assert_exit 6 mlv get . --model nosuch --stage production -o "$TEST_ROOT/out/x.onnx"
assert_contains "$stderr" "git fetch --tags"
assert_exit 2 mlv get . --model classifier -o "$TEST_ROOT/out/x.onnx"
assert_exit 2 mlv get . --model classifier --stage production --version 1.0.0 -o "$TEST_ROOT/out/x.onnx"
assert_exit 2 mlv get . --model classifier --stage production --rev HEAD -o "$TEST_ROOT/out/x.onnx"
assert_exit 2 mlv get --stage production -o "$TEST_ROOT/out/x.onnx"
assert_not_exists "$TEST_ROOT/out/x.onnx"
# No git identity: a clear error, and no tag.
git config --unset user.name
run env -u GIT_COMMITTER_NAME -u GIT_COMMITTER_EMAIL "$MLV" model register classifier 3.0.0
assert_eq "$status" 4 "exit code without a git identity"
assert_contains "$stderr" "user.name is not set"
assert_contains "$stderr" "git config user.name"
git config user.name "mlv test"
assert_eq "$(git tag -l | sort)" "$tags_before" "tags after refused commands"

pass
