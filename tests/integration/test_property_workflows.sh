#!/usr/bin/env bash
# Property test: random add/modify/commit/push/pull/checkout/gc steps and kill -9 of add, push and
# pull, across two clones sharing a git origin and a local-folder remote
# (tests/integration/property_workflows.py says what is checked after every step). The seed is
# printed; MLV_PROPERTY_SEED and MLV_PROPERTY_STEPS replay or lengthen a run; MLV_PROPERTY_VERBOSE=1
# prints every command.

# Guarantees can be switched off one by one to study a failure (names: RESTRICTIONS in the
# helper), e.g. MLV_PROPERTY_RESTRICT="kill gc" bash test_property_workflows.sh. By default every
# guarantee is asserted.
PROPERTY_RESTRICT_DEFAULT=()

# Read before lib.sh, which clears every inherited MLV_* setting.
restrict=${MLV_PROPERTY_RESTRICT-${PROPERTY_RESTRICT_DEFAULT[*]}}
seed=${MLV_PROPERTY_SEED:-}
steps=${MLV_PROPERTY_STEPS:-40}
verbose=${MLV_PROPERTY_VERBOSE:-}
source "$(dirname "$0")/lib.sh"

MLV_PROPERTY_RESTRICT=$restrict MLV_PROPERTY_SEED=$seed MLV_PROPERTY_STEPS=$steps \
  MLV_PROPERTY_VERBOSE=$verbose /usr/bin/python3 "$LIB_DIR/property_workflows.py" "$TEST_ROOT" ||
  fail "a property of mlv workflows failed (see above)"

pass
