#!/usr/bin/env python3
"""A prediction service (FastAPI) that loads a model pulled with mlv, after mlv has scanned it.

    uvicorn serve:app --port 8000            # MODEL_PATH=models/classifier.joblib by default
    python3 serve.py --check                 # only the safety gate: exit 0 if the model may load

Unpickling runs code, so the model is scanned statically (`mlv scan`) before joblib ever opens
it: a file with an unsafe payload stops the service at start-up, before anything is loaded. The
gate needs nothing but the mlv binary; serving needs fastapi, uvicorn and scikit-learn.
"""
import json
import os
import subprocess
import sys

MODEL_PATH = os.environ.get("MODEL_PATH", "models/classifier.joblib")
MLV = os.environ.get("MLV", "mlv")


class UnsafeModel(RuntimeError):
    pass


def scanned_model_path(path=MODEL_PATH):
    """Returns `path` if `mlv scan` finds nothing unsafe in it; raises UnsafeModel otherwise."""
    result = subprocess.run([MLV, "scan", "--json", path], capture_output=True, text=True)
    if result.returncode not in (0, 8):
        raise UnsafeModel(f"mlv scan could not check {path}: {result.stderr.strip()}")
    reports = json.loads(result.stdout)
    unsafe = [report for report in reports if report["verdict"] == "unsafe"]
    if result.returncode == 8 or unsafe:
        found = "; ".join(
            f'{finding["callable"]} at byte {finding["offset"]}'
            for report in unsafe
            for finding in report.get("findings", [])
            if finding.get("severity") == "unsafe"
        )
        raise UnsafeModel(f"refusing to load {path}: unsafe pickle payload ({found})")
    return path


def create_app():
    import joblib
    from fastapi import FastAPI
    from pydantic import BaseModel

    model = joblib.load(scanned_model_path())  # loaded only after the scan passed
    app = FastAPI(title="classifier")

    class Features(BaseModel):
        rows: list[list[float]]

    @app.post("/predict")
    def predict(features: Features):
        return {"labels": model.predict(features.rows).tolist()}

    @app.get("/health")
    def health():
        return {"model": MODEL_PATH, "status": "ok"}

    return app


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        try:
            print(f"ok: {scanned_model_path()} may be loaded")
        except UnsafeModel as error:
            print(error, file=sys.stderr)
            sys.exit(1)
    else:
        print(__doc__)
else:
    app = create_app()
