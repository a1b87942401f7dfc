#!/usr/bin/env bash
# examples/sklearn-service/workflow.sh, with a real scikit-learn pipeline (pickled by
# scikit-learn itself) standing in for training: the model is tracked with its metrics and
# params, registered, promoted, taken by stage on a serving host, scanned clean, accepted by the
# service's gate; a tampered pickle is refused by the gate before anything loads it.
source "$(dirname "$0")/lib.sh"

example=$(cd "$LIB_DIR/../../examples/sklearn-service" && pwd)
run env MLV="$MLV" MODEL_SOURCE="$MLV_FIXTURES/pipeline_p4.pkl" bash "$example/workflow.sh"
if [[ $status -ne 0 ]]; then
  echo "$output" >&2
  fail "examples/sklearn-service/workflow.sh exited $status"
fi
assert_contains "$output" "accuracy"
assert_contains "$output" "classifier 1.0.0"
assert_contains "$output" "production"
assert_contains "$output" "ok: deploy/classifier.joblib may be loaded"
assert_contains "$output" "refusing to load deploy/tampered.joblib: unsafe pickle payload"
assert_contains "$output" "system"
assert_contains "$output" "tampered model refused before loading"

# The gate is what stands between a pulled file and joblib.load: it must say no on its own too.
cd "$TEST_ROOT"
python3 -c '
import pickle, builtins
class Payload:
    def __reduce__(self):
        return (builtins.exec, ("print(1)",))
open("evil.pkl", "wb").write(pickle.dumps(Payload(), protocol=2))'
run env MODEL_PATH=evil.pkl MLV="$MLV" python3 "$example/serve.py" --check
assert_eq "$status" 1 "exit status of the gate on an unsafe model"
assert_contains "$output" "exec"

pass
